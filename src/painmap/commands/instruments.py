"""``painmap score``, ``painmap change`` and ``painmap instruments ...``."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from painmap.commands._common import console, err_console, print_json
from painmap.core.errors import ValidationFailure
from painmap.instruments import (
    batch_columns,
    change,
    definitions,
    get_definition,
    item_label,
    load_content_pack,
    score,
    score_batch,
)

instruments_app = typer.Typer(
    help="Questionnaire definitions: list, show, export as FHIR.", no_args_is_help=True
)


def _read_answers(text: str, instrument: str) -> Any:
    """Parse ``--answers``: a JSON literal, ``-`` for stdin or ``@file.json``."""
    source = "--answers"
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationFailure(source, f"cannot read {path}: {exc}") from None
    try:
        answers = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailure(
            source,
            f"not valid JSON ({exc.msg} at column {exc.colno})",
            allowed=["a JSON list or object", "-", "@file.json"],
        ) from None
    defn = get_definition(instrument)
    if (
        len(defn.items) == 1
        and defn.answer_format == "list"
        and (answers is None or isinstance(answers, int | float))
    ):
        answers = [answers]  # a single-item scale may be given as a bare number
    if not isinstance(answers, list | dict):
        raise ValidationFailure(
            source,
            f"expected a JSON list or object, got {type(answers).__name__}",
            allowed=["a JSON list or object"],
        )
    return answers


def score_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id, e.g. odi, pcs, startback.")],
    answers: Annotated[
        str,
        typer.Option(
            "--answers",
            "-a",
            help="Answers as JSON in published item order (null = missing), '-' to read "
            "stdin, or @file.json.",
        ),
    ],
    max_missing: Annotated[
        int | None,
        typer.Option(
            "--max-missing",
            min=0,
            help="Most missing items still scored (default: the instrument's policy; ODI 1).",
        ),
    ] = None,
) -> None:
    """Score one questionnaire response and print the result as JSON."""
    result = score(instrument, _read_answers(answers, instrument), max_missing=max_missing)
    print_json(result.model_dump(mode="json"))


def change_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id, e.g. nrs, odi, rmdq.")],
    baseline: Annotated[float, typer.Option("--baseline", "-b", help="Baseline score.")],
    followup: Annotated[float, typer.Option("--followup", "-f", help="Follow-up score.")],
) -> None:
    """Print the change between two scores and whether it is clinically meaningful."""
    print_json(change(instrument, baseline, followup).model_dump(mode="json"))


@instruments_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the instruments painmap scores."""
    rows = [
        {
            "id": d.id,
            "name": d.name,
            "items": len(d.items),
            "range": [d.scoring.min, d.scoring.max],
            "loinc": d.loinc.score,
            "item_text_shipped": d.licence.item_text_shipped,
        }
        for d in definitions()
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "items", "range", "LOINC score")
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["name"]),
            str(r["items"]),
            "{:g}-{:g}".format(*r["range"]),  # type: ignore[misc]
            str(r["loinc"] or ""),
        )
    console.print(table)


@instruments_app.command("show")
def show_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full definition as JSON.")
    ] = False,
    content_pack: Annotated[
        Path | None,
        typer.Option("--content-pack", help="Directory of licensed item texts to display."),
    ] = None,
) -> None:
    """Show an instrument: items, scoring, cut-offs, change rules, codes and licence."""
    defn = get_definition(instrument)
    if as_json:
        print_json(defn.model_dump(mode="json"))
        return
    pack = load_content_pack(content_pack) if content_pack is not None else None
    console.print(f"[bold]{defn.name}[/bold] ({defn.id}, version {defn.version})")
    console.print(f"score {defn.scoring.min:g}-{defn.scoring.max:g}; missing: {defn.missing.note}")
    table = Table("item", "label", "answers")
    for item in defn.items:
        scale = defn.scale_of(item)
        table.add_row(
            item.id,
            item_label(defn, item.id, pack),
            ", ".join(f"{v}={c}" for v, c in zip(scale.values, scale.codes, strict=True)),
        )
    console.print(table)
    for rule in defn.categories:
        cond = " and ".join(
            f"{c.of} {op} {v:g}"
            for c in rule.conditions
            for op, v in (("≥", c.ge), (">", c.gt), ("≤", c.le), ("<", c.lt))
            if v is not None
        )
        console.print(f"category {rule.code}: {cond or 'otherwise'}")
    for ch in defn.change.rules:
        console.print(f"change: {ch.text}")
    console.print(f"licence: {defn.licence.text}")


@instruments_app.command("fhir")
def fhir_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
) -> None:
    """Print the instrument as a FHIR R4 Questionnaire (JSON)."""
    from painmap.interop.fhir import questionnaire

    print_json(json.loads(questionnaire(get_definition(instrument)).json()))


def _read_batch_csv(path: Path, instrument: str) -> np.ndarray:
    """Read a CSV whose header names the batch columns; empty cells are missing."""
    defn = get_definition(instrument)
    columns = batch_columns(instrument)
    scales = [defn.scale_of(i) for i in defn.items]
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or [h.strip() for h in header] != columns:
                raise ValidationFailure(
                    f"{path.name}: header",
                    "columns must be the instrument's batch columns",
                    allowed=[",".join(columns)],
                )
            rows: list[list[float]] = []
            for line, record in enumerate(reader, start=2):
                if len(record) != len(columns):
                    raise ValidationFailure(
                        f"{path.name}: line {line}",
                        f"expected {len(columns)} cells, got {len(record)}",
                    )
                rows.append([_cell(c, scales, k, path.name, line) for k, c in enumerate(record)])
    except OSError as exc:
        raise ValidationFailure("FILE", f"cannot read {path}: {exc}") from None
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(columns))


def _cell(text: str, scales: list[Any], k: int, name: str, line: int) -> float:
    text = text.strip()
    if text == "":
        return float("nan")
    if k < len(scales):
        words = [str(v).lower() for v in scales[k].values]
        if text.lower() in words and not text.lstrip("-").isdigit():
            return float(words.index(text.lower()))
    try:
        return float(text)
    except ValueError:
        raise ValidationFailure(
            f"{name}: line {line}, column {k + 1}", f"{text!r} is not a number"
        ) from None


@instruments_app.command("score-file")
def score_file_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    path: Annotated[
        Path, typer.Argument(help="CSV with one response per row; header = batch columns.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the scores to this CSV file.")
    ] = None,
    max_missing: Annotated[
        int | None, typer.Option("--max-missing", min=0, help="Most missing items scored.")
    ] = None,
) -> None:
    """Score a cohort file (vectorised) and write or print one line of scores per row.

    The header must be ``painmap instruments columns INSTRUMENT``; empty cells are
    missing answers; painDETECT course and radiation may be written as words.
    """
    answers = _read_batch_csv(path, instrument)
    result = score_batch(instrument, answers, max_missing=max_missing)
    names = ["row", "score", "answered", "complete", "category", *result.subscales, *result.flags]
    labels = result.category_labels()

    def fmt(v: float) -> str:
        return "" if np.isnan(v) else f"{v:.10g}"

    lines = [
        [
            str(i + 1),
            fmt(float(result.score[i])),
            str(int(result.answered[i])),
            str(bool(result.complete[i])).lower(),
            labels[i] or "",
            *(fmt(float(a[i])) for a in result.subscales.values()),
            *(str(bool(a[i])).lower() for a in result.flags.values()),
        ]
        for i in range(len(result))
    ]
    if out is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(lines)
        return
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(names)
            writer.writerows(lines)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    err_console.print(f"scored {len(result)} responses to {out}")


@instruments_app.command("columns")
def columns_command(instrument: Annotated[str, typer.Argument(help="Instrument id.")]) -> None:
    """Print the CSV header for ``score-file`` (the batch columns)."""
    sys.stdout.write(",".join(batch_columns(instrument)) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``score``, ``change`` and ``instruments`` to the root app."""
    app.command("score")(score_command)
    app.command("change")(change_command)
    app.add_typer(instruments_app, name="instruments")
