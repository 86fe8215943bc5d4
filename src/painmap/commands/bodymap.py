"""``painmap bodymap``: list regions, score, compare, render and map cohorts of drawings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from painmap.commands._common import console, print_json
from painmap.core.errors import PainmapError, ValidationFailure

bodymap_app = typer.Typer(
    name="bodymap",
    help="Body chart: regions, drawing metrics, comparison, rendering and cohort heatmaps.",
    no_args_is_help=True,
)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise ValidationFailure("FILE", f"no such file: {path}")
    return p.read_text(encoding="utf-8")


def _unwrap(exc: ValidationError, where: str) -> PainmapError:
    """Turn a pydantic error into a one-line painmap error naming the field."""
    for e in exc.errors():
        err = (e.get("ctx") or {}).get("error")
        if isinstance(err, ValidationFailure):
            return ValidationFailure(f"{where}{err.field}", err.message, err.allowed)
    e = exc.errors()[0]
    loc = ".".join(str(p) for p in e["loc"]) or "(root)"
    msg = e["msg"]
    ctx = e.get("ctx") or {}
    return ValidationFailure(f"{where}{loc}", msg, [ctx["expected"]] if "expected" in ctx
                             else None)


def _drawing_from(obj: Any, where: str = "") -> Any:
    from painmap.bodymap import Drawing

    if isinstance(obj, dict) and obj.get("kind") == "pain_drawing":
        obj = {k: v for k, v in obj.items() if k != "kind"}
    if not isinstance(obj, dict):
        raise ValidationFailure(where or "(root)", "expected a JSON object with marks/strokes")
    try:
        return Drawing.model_validate(obj)
    except ValidationError as exc:
        raise _unwrap(exc, where) from None


def _load_drawing(path: str) -> Any:
    text = _read_text(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailure(path, f"not valid JSON ({exc.msg}, line {exc.lineno})") \
            from None
    return _drawing_from(obj)


def regions_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the full table as JSON.")] = False,
    view: Annotated[str | None, typer.Option(help="Only regions of this view.")] = None,
) -> None:
    """List the chart's regions (tab-separated, or the full table with sources as JSON)."""
    from painmap.bodymap import regions
    from painmap.bodymap.regions import region_table

    if view is not None and view not in ("front", "back"):
        raise ValidationFailure("--view", f"unknown view {view!r}", ["front", "back"])
    regs = [r for r in regions() if view is None or r.view.value == view]
    if as_json:
        print_json({
            "version": region_table()["version"],
            "meta": region_table()["meta"],
            "regions": [r.model_dump(mode="json") for r in regs],
        })
        return
    lines = ["id\tview\tside\tarea_%\twpi19\tlow_back\tbelow_knee\tdermatomes\tlabel"]
    for r in regs:
        derm = ",".join(f"{k.value}:{v:g}" for k, v in r.dermatomes.items())
        lines.append("\t".join([
            r.id, r.view.value, r.side.value, f"{r.area_fraction * 100:.3f}", r.wpi19 or "-",
            "yes" if r.low_back else "no", "yes" if r.below_knee else "no", derm or "-",
            r.label]))
    sys.stdout.write("\n".join(lines) + "\n")


def metrics_cmd(
    file: Annotated[str, typer.Argument(help="Drawing JSON file, or - for stdin.")],
    with_features: Annotated[bool, typer.Option(
        "--features", help="Also print the clinical features used by the ranking.")] = False,
) -> None:
    """Print a drawing's metrics as JSON (extent, WPI, Quebec class, dermatomes, ...)."""
    from painmap.bodymap import compute_metrics, features

    drawing = _load_drawing(file)
    out: dict[str, Any] = compute_metrics(drawing).model_dump(mode="json")
    if with_features:
        out["features"] = features(drawing).model_dump(mode="json")
    print_json(out)


def compare_cmd(
    before: Annotated[str, typer.Argument(help="Earlier drawing JSON (or -).")],
    after: Annotated[str, typer.Argument(help="Later drawing JSON.")],
) -> None:
    """Compare two drawings: Jaccard overlap, extent change, centralisation."""
    from painmap.bodymap.compare import compare

    if before == "-" and after == "-":
        raise ValidationFailure("AFTER", "only one of the two drawings can come from stdin")
    print_json(compare(_load_drawing(before), _load_drawing(after)).model_dump(mode="json"))


def _out_format(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValidationFailure("--output", f"unsupported extension {out.suffix!r}",
                                [".png", ".svg"])
    return fmt


def _write_atomic(out: Path, data: bytes) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)


def render_cmd(
    file: Annotated[str, typer.Argument(help="Drawing JSON file, or - for stdin.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="OUT.svg or OUT.png")],
) -> None:
    """Render one drawing (front and back) to SVG (accessible, titled regions) or PNG."""
    from painmap.bodymap.render import render_png, render_svg

    fmt = _out_format(output)
    drawing = _load_drawing(file)
    data = render_svg(drawing).encode() if fmt == "svg" else render_png(drawing)
    _write_atomic(output, data)
    console.print(f"wrote {output}", soft_wrap=True, highlight=False)


def _cohort(path: str, by: str | None, encounter: str) -> tuple[list[Any], list[str]]:
    """Drawings (and group labels) from NDJSON of patients or of bare drawings."""
    from painmap.record.models import Patient

    text = _read_text(path)
    drawings: list[Any] = []
    groups: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {lineno}: "
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationFailure(f"line {lineno}", f"not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise ValidationFailure(f"line {lineno}", "expected a JSON object")
        is_patient = "encounters" in obj or "birth_year" in obj
        if by is not None and by not in obj:
            what = "patient" if is_patient else "drawing"
            raise ValidationFailure(f"line {lineno}", f"{what} has no field {by!r} for --by")
        label = str(obj[by]) if by is not None else "all"
        if not is_patient:
            drawings.append(_drawing_from({k: v for k, v in obj.items() if k != by}, where))
            groups.append(label)
            continue
        try:
            patient = Patient.model_validate(obj)
        except ValidationError as exc:
            raise _unwrap(exc, where) from None
        found = [rec for enc in patient.encounters for rec in enc.records
                 if rec.kind == "pain_drawing"]
        if not found:
            continue
        chosen = found if encounter == "all" else [found[0] if encounter == "first"
                                                   else found[-1]]
        drawings += chosen
        groups += [label] * len(chosen)
    if not drawings:
        raise ValidationFailure("FILE", "no pain drawings found")
    return drawings, groups


def heatmap_cmd(
    file: Annotated[str, typer.Argument(help="NDJSON of patients (or of drawings), or -.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="OUT.png or OUT.svg")],
    by: Annotated[str | None, typer.Option(
        help="Split into one map per value of this patient field (e.g. sex).")] = None,
    encounter: Annotated[str, typer.Option(
        help="Which drawing of each patient: first, last or all.")] = "first",
    title: Annotated[str, typer.Option(help="Figure title.")] = "",
    min_count: Annotated[int, typer.Option(
        help="Show mean intensity only where at least this many drawings hurt.")] = 5,
) -> None:
    """Cohort frequency and mean-intensity maps, optionally split --by a patient field."""
    from painmap.bodymap.heatmap import heatmap, render_heatmap

    if encounter not in ("first", "last", "all"):
        raise ValidationFailure("--encounter", f"unknown choice {encounter!r}",
                                ["first", "last", "all"])
    fmt = _out_format(output)
    drawings, groups = _cohort(file, by, encounter)
    layers = heatmap(drawings, groups, min_count=min_count)
    text = title or f"{len(drawings)} pain drawings" + (f" by {by}" if by else "")
    _write_atomic(output, render_heatmap(layers, fmt=fmt, title=text))
    console.print(f"wrote {output} ({len(drawings)} drawings, {len(layers)} group(s))",
                  soft_wrap=True, highlight=False)


bodymap_app.command("regions")(regions_cmd)
bodymap_app.command("metrics")(metrics_cmd)
bodymap_app.command("compare")(compare_cmd)
bodymap_app.command("render")(render_cmd)
bodymap_app.command("heatmap")(heatmap_cmd)


def register(app: typer.Typer) -> None:
    """Add the ``bodymap`` command group to the root CLI."""
    app.add_typer(bodymap_app, name="bodymap")
