"""Group level of the BIDS app: read participant outputs, fit models, write tables.

Writes ``OUT/group/roi_group_comparison.tsv``, ``roi_longitudinal.tsv``,
``roi_pain_correlation.tsv``, ``roi_task_activation.tsv`` and ``report.html``. All files
are first written to a temporary folder and moved in place together.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from painmap.core.errors import ValidationFailure
from painmap.neuro._deps import require
from painmap.neuro.bidsio import read_participants, read_sessions
from painmap.neuro.group import group_comparison, longitudinal, pain_correlation, task_activation
from painmap.neuro.guard import check_columns
from painmap.neuro.participant import output_paths

TABLES = {
    "comparison": "roi_group_comparison.tsv",
    "longitudinal": "roi_longitudinal.tsv",
    "pain": "roi_pain_correlation.tsv",
    "task": "roi_task_activation.tsv",
}


def load_inputs(
    bids_dir: Path, out_dir: Path, pain_rows: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Collect participant outputs, demographics and self-reported pain.

    Parameters
    ----------
    bids_dir : Path
        BIDS dataset (``participants.tsv``, ``sub-*/sub-*_sessions.tsv``).
    out_dir : Path
        Output folder of the participant level.
    pain_rows : list of dict, optional
        Self-reported pain per session (``participant_id, session, pain_nrs, odi``), e.g.
        from :func:`painmap.neuro.recordlink.pain_from_records`; replaces the
        ``sessions.tsv`` values when given.

    Returns
    -------
    dict of DataFrame
        ``measures``, ``covariates``, ``participants``, ``pain``.
    """
    pd = require("pandas")
    parts = read_participants(Path(bids_dir))
    measures, covs, pain = [], [], []
    for label in sorted(parts):
        m_path, c_path = output_paths(Path(out_dir), label)
        if not m_path.is_file():
            continue
        measures.append(
            pd.read_csv(
                m_path, sep="\t", na_values="n/a", dtype={"session": str}, keep_default_na=False
            )
        )
        covs.append(
            pd.read_csv(
                c_path, sep="\t", na_values="n/a", dtype={"session": str}, keep_default_na=False
            )
        )
        for ses, row in read_sessions(Path(bids_dir), label).items():
            pain.append(
                {
                    "participant_id": f"sub-{label}",
                    "session": ses,
                    "pain_nrs": _float(row.get("pain_nrs")),
                    "odi": _float(row.get("odi")),
                }
            )
    if pain_rows is not None:
        pain = [
            {
                "participant_id": r["participant_id"],
                "session": str(r["session"]).removeprefix("ses-"),
                "pain_nrs": _float(None if r.get("pain_nrs") is None else str(r["pain_nrs"])),
                "odi": _float(None if r.get("odi") is None else str(r["odi"])),
            }
            for r in pain_rows
        ]
    if not measures:
        raise ValidationFailure(
            "out_dir", f"no participant outputs in {out_dir}; run the participant level first"
        )
    prows = []
    for label, row in parts.items():
        group = row["group"].strip().lower()
        if group not in ("patient", "control"):
            raise ValidationFailure(
                f"participants.tsv[sub-{label}].group",
                f"unknown group {row['group']!r}",
                ["patient", "control"],
            )
        sex = row["sex"].strip().upper()[:1]
        if sex not in ("F", "M"):
            raise ValidationFailure(
                f"participants.tsv[sub-{label}].sex", f"unknown sex {row['sex']!r}", ["F", "M"]
            )
        prows.append(
            {
                "participant_id": f"sub-{label}",
                "group": group,
                "age": _float(row["age"]),
                "sex": sex,
            }
        )
    return {
        "measures": pd.concat(measures, ignore_index=True),
        "covariates": pd.concat(covs, ignore_index=True),
        "participants": pd.DataFrame(prows),
        "pain": pd.DataFrame(pain, columns=["participant_id", "session", "pain_nrs", "odi"]),
    }


def _float(v: str | None) -> float:
    try:
        return float(v) if v not in (None, "", "n/a") else float("nan")
    except ValueError:
        return float("nan")


def run_group(
    bids_dir: Path, out_dir: Path, pain_rows: list[dict[str, Any]] | None = None
) -> dict[str, Path]:
    """Fit the group models and write the tables and the report.

    Parameters
    ----------
    bids_dir : Path
        BIDS dataset.
    out_dir : Path
        Output folder holding the participant-level results.
    pain_rows : list of dict, optional
        Self-reported pain per session replacing ``sessions.tsv`` (see
        :func:`load_inputs`).

    Returns
    -------
    dict of str to Path
        The written files.
    """
    from painmap.neuro.report import write_report

    data = load_inputs(Path(bids_dir), Path(out_dir), pain_rows)
    tables = {
        "comparison": group_comparison(data["measures"], data["participants"], data["covariates"]),
        "longitudinal": longitudinal(data["measures"], data["participants"]),
        "pain": pain_correlation(data["measures"], data["participants"], data["pain"]),
        "task": task_activation(data["measures"], data["participants"]),
    }
    final = Path(out_dir) / "group"
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=".group."))
    try:
        for key, name in TABLES.items():
            check_columns(tables[key].columns, tables[key]["measure"].astype(str))
            tables[key].to_csv(
                tmp / name, sep="\t", index=False, na_rep="n/a", float_format="%.10g"
            )
        synthetic = _is_synthetic(Path(bids_dir))
        write_report(tmp / "report.html", tables, data, synthetic=synthetic)
        if final.exists():
            old = final.with_name(f".group.old.{os.getpid()}")
            final.rename(old)
            tmp.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: final / v for k, v in TABLES.items()} | {"report": final / "report.html"}


def _is_synthetic(bids_dir: Path) -> bool:
    try:
        desc = json.loads((bids_dir / "dataset_description.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return "SYNTHETIC" in str(desc.get("Name", "")).upper()
