"""Write FreeSurfer-format stats files (used by the synthetic-cohort simulator).

The layout mirrors what ``mri_segstats`` and ``mris_anatomical_stats`` write: ``#``
header lines, ``# Measure`` lines, ``# ColHeaders`` and whitespace-separated rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ASEG_COLUMNS = (
    "Index SegId NVoxels Volume_mm3 StructName normMean normStdDev normMin normMax normRange"
)
APARC_COLUMNS = (
    "StructName NumVert SurfArea GrayVol ThickAvg ThickStd MeanCurv GausCurv FoldInd CurvInd"
)


def _measure_lines(measures: Sequence[tuple[str, str, str, float, str]]) -> list[str]:
    return [
        f"# Measure {struct}, {name}, {desc}, {value:.6f}, {unit}"
        for struct, name, desc, value, unit in measures
    ]


def aseg_text(
    subject: str,
    measures: Sequence[tuple[str, str, str, float, str]],
    structures: Mapping[str, tuple[int, float]],
) -> str:
    """Text of a synthetic ``aseg.stats``.

    Parameters
    ----------
    subject : str
        Subject name written in the header.
    measures : sequence of (struct, name, description, value, unit)
        Global measures.
    structures : mapping of StructName to (SegId, volume_mm3)
        Table rows.

    Returns
    -------
    str
    """
    lines = [
        "# Title Segmentation Statistics",
        "# generating_program painmap-simulate (synthetic, FreeSurfer aseg.stats layout)",
        f"# subjectname {subject}",
        *_measure_lines(measures),
        f"# NRows {len(structures)}",
        "# NTableCols 10",
        f"# ColHeaders  {ASEG_COLUMNS}",
    ]
    for i, (name, (seg_id, vol)) in enumerate(structures.items(), start=1):
        lines.append(
            f"{i:3d} {seg_id:3d} {round(vol):9d} {vol:9.1f}  {name:<32s} "
            f"80.0000 8.0000 40.0000 110.0000 70.0000"
        )
    return "\n".join(lines) + "\n"


def aparc_text(
    subject: str,
    hemi: str,
    measures: Sequence[tuple[str, str, str, float, str]],
    rows: Mapping[str, tuple[int, float, float, float, float]],
) -> str:
    """Text of a synthetic ``?h.aparc.stats``.

    Parameters
    ----------
    subject : str
        Subject name.
    hemi : str
        ``"lh"`` or ``"rh"``.
    measures : sequence of (struct, name, description, value, unit)
        Global measures.
    rows : mapping of StructName to (NumVert, SurfArea, GrayVol, ThickAvg, ThickStd)
        Table rows.

    Returns
    -------
    str
    """
    lines = [
        "# Table of FreeSurfer cortical parcellation anatomical statistics",
        "# generating_program painmap-simulate (synthetic, mris_anatomical_stats layout)",
        f"# subjectname {subject}",
        f"# hemi {hemi}",
        *_measure_lines(measures),
        "# NTableCols 10",
        f"# ColHeaders {APARC_COLUMNS}",
    ]
    for name, (nvert, area, gray, thick, std) in rows.items():
        lines.append(
            f"{name:<40s} {nvert:5d} {round(area):6d} {round(gray):6d} {thick:6.3f} {std:5.3f}"
            f"     0.110     0.020       10     1.0"
        )
    return "\n".join(lines) + "\n"
