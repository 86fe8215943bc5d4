"""Parser for FreeSurfer ``aseg.stats`` and ``?h.aparc.stats`` files.

Global values come from ``# Measure <struct>, <name>, <description>, <value>, <unit>``
lines and are keyed by their second field (``eTIV``, ``MeanThickness``...). The table
follows the ``# ColHeaders`` line. Numbers are kept exactly as FreeSurfer wrote them:
integers stay integers and decimals are parsed with :func:`float`, so printing them
gives FreeSurfer's digits back.

The parsing functions take text; :func:`read_subject` is the only one reading files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from painmap.core.errors import ValidationFailure
from painmap.neuro.rois import pain_rois

Number = int | float

#: aparc column -> output field.
APARC_FIELDS = {
    "ThickAvg": "thickness_mm",
    "ThickStd": "thickness_std_mm",
    "SurfArea": "surface_area_mm2",
    "GrayVol": "gray_volume_mm3",
}
HEMIS = ("lh", "rh")


@dataclass
class StatsTable:
    """One parsed FreeSurfer stats file.

    Attributes
    ----------
    measures : dict of str to number
        Global measures keyed by their short name (second field of ``# Measure``).
    units : dict of str to str
        Unit of each measure.
    columns : list of str
        Table column headers.
    rows : list of dict
        One dict per table row, keyed by column header.
    header : dict of str to str
        Other ``# key value`` header lines (``subjectname``, ``hemi``...).
    """

    measures: dict[str, Number] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Number | str]] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)


def _number(text: str, where: str) -> Number:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValidationFailure(where, f"not a number: {text!r}") from None


def parse_stats(text: str, source: str = "stats") -> StatsTable:
    """Parse the text of a FreeSurfer stats file.

    Parameters
    ----------
    text : str
        Content of ``aseg.stats``, ``lh.aparc.stats``... .
    source : str, optional
        Name used in error messages.

    Returns
    -------
    StatsTable

    Raises
    ------
    ValidationFailure
        If a measure line, the header or a row is malformed.
    """
    out = StatsTable()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"{source}:{lineno}"
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("Measure "):
                parts = [p.strip() for p in body[len("Measure ") :].split(",")]
                if len(parts) < 5:
                    raise ValidationFailure(
                        where,
                        "a Measure line needs 5 comma-separated fields "
                        "(structure, name, description, value, unit)",
                    )
                name, value, unit = parts[1], parts[-2], parts[-1]
                out.measures[name] = _number(value, where)
                out.units[name] = unit
            elif body.startswith("ColHeaders"):
                out.columns = body.split()[1:]
            else:
                key, _, rest = body.partition(" ")
                if key and key not in out.header and not key.startswith("TableCol"):
                    out.header[key] = rest.strip()
            continue
        if not out.columns:
            raise ValidationFailure(where, "table row before the '# ColHeaders' line")
        cells = line.split()
        if len(cells) != len(out.columns):
            raise ValidationFailure(
                where, f"row has {len(cells)} fields, header has {len(out.columns)}"
            )
        row: dict[str, Number | str] = {}
        for col, cell in zip(out.columns, cells, strict=True):
            row[col] = cell if col == "StructName" else _number(cell, f"{where}.{col}")
        out.rows.append(row)
    return out


def aseg_summary(table: StatsTable) -> dict[str, Any]:
    """Return the ``aseg`` part of the JSON output.

    Parameters
    ----------
    table : StatsTable
        Parsed ``aseg.stats``.

    Returns
    -------
    dict
        ``{"measures": {name: value}, "structures": {StructName: {"volume_mm3": v}}}``.
    """
    for col in ("StructName", "Volume_mm3"):
        if col not in table.columns:
            raise ValidationFailure("aseg.stats", f"missing column {col}", table.columns)
    return {
        "measures": dict(table.measures),
        "structures": {str(r["StructName"]): {"volume_mm3": r["Volume_mm3"]} for r in table.rows},
    }


def aparc_summary(table: StatsTable) -> dict[str, Any]:
    """Return one hemisphere of the ``aparc`` part of the JSON output.

    Parameters
    ----------
    table : StatsTable
        Parsed ``?h.aparc.stats``.

    Returns
    -------
    dict
        ``{"measures": {...}, "structures": {name: {"thickness_mm", "thickness_std_mm",
        "surface_area_mm2", "gray_volume_mm3"}}}``.
    """
    for col in ("StructName", *APARC_FIELDS):
        if col not in table.columns:
            raise ValidationFailure("aparc.stats", f"missing column {col}", table.columns)
    return {
        "measures": dict(table.measures),
        "structures": {
            str(r["StructName"]): {out: r[col] for col, out in APARC_FIELDS.items()}
            for r in table.rows
        },
    }


def stats_dir(subject_dir: Path) -> Path:
    """Return the folder holding the stats files of a FreeSurfer subject.

    Parameters
    ----------
    subject_dir : Path
        A FreeSurfer subject folder (with ``stats/``) or the ``stats`` folder itself.

    Returns
    -------
    Path
    """
    sub = subject_dir / "stats"
    return sub if sub.is_dir() else subject_dir


def read_subject(subject_dir: Path) -> dict[str, Any]:
    """Read ``aseg.stats`` and ``lh/rh.aparc.stats`` of one FreeSurfer subject.

    Parameters
    ----------
    subject_dir : Path
        A FreeSurfer subject folder (with ``stats/``) or its ``stats`` folder.

    Returns
    -------
    dict
        ``{"aseg": ..., "aparc": {"lh": ..., "rh": ...}}`` as printed by
        ``painmap neuro freesurfer-stats --json``.

    Raises
    ------
    ValidationFailure
        If the folder or a stats file is missing or malformed.
    """
    folder = stats_dir(Path(subject_dir))
    if not folder.is_dir():
        raise ValidationFailure("subject_dir", f"not a folder: {subject_dir}")
    names = {"aseg": "aseg.stats", "lh": "lh.aparc.stats", "rh": "rh.aparc.stats"}
    tables: dict[str, StatsTable] = {}
    for key, name in names.items():
        path = folder / name
        if not path.is_file():
            raise ValidationFailure(
                "subject_dir", f"{name} not found in {folder}", list(names.values())
            )
        tables[key] = parse_stats(path.read_text(encoding="utf-8", errors="replace"), name)
    return {
        "aseg": aseg_summary(tables["aseg"]),
        "aparc": {h: aparc_summary(tables[h]) for h in HEMIS},
    }


def roi_table(subject: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Map FreeSurfer tables to the pain ROIs.

    Cortical ROIs get the surface-area-weighted mean thickness of their aparc parcels
    (both hemispheres for bilateral ROIs), their summed surface area and grey-matter
    volume. Subcortical ROIs get their aseg volume and no thickness.

    Parameters
    ----------
    subject : dict
        Output of :func:`read_subject`.

    Returns
    -------
    dict of str to dict
        ``{roi_id: {"thickness_mm", "surface_area_mm2", "gray_volume_mm3"}}``; a value
        is ``None`` where it does not apply or the structure is missing.
    """
    out: dict[str, dict[str, float | None]] = {}
    aseg = subject["aseg"]["structures"]
    for roi in pain_rois():
        rec: dict[str, float | None] = {
            "thickness_mm": None,
            "surface_area_mm2": None,
            "gray_volume_mm3": None,
        }
        if roi.aparc:
            area = vol = weighted = 0.0
            found = False
            for hemi in roi.hemispheres:
                structs = subject["aparc"][hemi]["structures"]
                for name in roi.aparc:
                    if name in structs:
                        found = True
                        s = structs[name]
                        area += float(s["surface_area_mm2"])
                        vol += float(s["gray_volume_mm3"])
                        weighted += float(s["thickness_mm"]) * float(s["surface_area_mm2"])
            if found and area > 0:
                rec.update(thickness_mm=weighted / area, surface_area_mm2=area, gray_volume_mm3=vol)
        else:
            for name in roi.aseg:
                if name in aseg:
                    rec["gray_volume_mm3"] = float(aseg[name]["volume_mm3"])
                    break
        out[roi.id] = rec
    return out
