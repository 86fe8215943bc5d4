"""The region table and chart geometry of the painmap body chart (package data).

The data files are built by :mod:`painmap.bodymap.chart_build` and loaded once on import.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict

from painmap.bodymap.drawing import View
from painmap.core.enums import Root, Side
from painmap.core.errors import ValidationFailure

#: The 19 ACR 2016 Widespread Pain Index site ids, in the order of the criteria.
WPI_SITES: tuple[str, ...] = (
    "jaw_l", "jaw_r", "shoulder_l", "shoulder_r", "upper_arm_l", "upper_arm_r",
    "lower_arm_l", "lower_arm_r", "hip_l", "hip_r", "upper_leg_l", "upper_leg_r",
    "lower_leg_l", "lower_leg_r", "neck", "upper_back", "lower_back", "chest", "abdomen",
)

#: The five ACR 2016 regions and the WPI sites that count towards *generalised* pain
#: (jaw, chest and abdomen are excluded from the generalised-pain definition).
ACR_REGIONS: dict[str, tuple[str, ...]] = {
    "left_upper": ("shoulder_l", "upper_arm_l", "lower_arm_l"),
    "right_upper": ("shoulder_r", "upper_arm_r", "lower_arm_r"),
    "left_lower": ("hip_l", "upper_leg_l", "lower_leg_l"),
    "right_lower": ("hip_r", "upper_leg_r", "lower_leg_r"),
    "axial": ("neck", "upper_back", "lower_back"),
}

#: Roots carried by the dermatome weights, cranial to caudal.
DERMATOME_ROOTS: tuple[Root, ...] = (
    Root.L1, Root.L2, Root.L3, Root.L4, Root.L5, Root.S1, Root.S2,
)


class Region(BaseModel):
    """One region of the body chart.

    Attributes
    ----------
    id : str
        Stable id, ``{f|b}_{name}[_{l|r}]``, e.g. ``b_lumbar_l4_para_l``.
    view : View
        Front or back view.
    side : Side
        ``left``, ``right`` (the patient's) or ``midline``.
    label : str
        Human-readable label (used as the SVG ``<title>``).
    segment : str
        Body segment (``lumbar``, ``pelvis``, ``buttock``, ``hip``, ``groin``, ``thigh``,
        ``knee``, ``leg``, ``ankle_foot``, ``head``, ``neck``, ``shoulder``, ...).
    distality : int or None
        Position along the lower-limb chain (0 lumbar ... 5 ankle/foot); None off the chain.
    area_fraction : float
        Share of the whole body surface; all regions sum to 1.
    wpi19 : str or None
        ACR 2016 Widespread Pain Index site the region belongs to.
    below_knee, low_back : bool
        Below the knee; inside the consensus low-back area.
    dermatomes : dict of Root to float
        Share of the region in each root's textbook territory (L1-S2).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    view: View
    side: Side
    label: str
    segment: str
    distality: int | None
    area_fraction: float
    wpi19: str | None
    below_knee: bool
    low_back: bool
    dermatomes: dict[Root, float]
    dermatome_source: str | None
    body_surface_group: str


class ViewGeometry(BaseModel):
    """Canonical coordinate space and polygons of one view."""

    model_config = ConfigDict(frozen=True)

    width: float
    height: float
    outlines: list[list[tuple[float, float]]]
    contours: list[list[tuple[float, float]]] = []
    regions: dict[str, list[tuple[float, float]]]


class Chart(BaseModel):
    """The body chart: one canonical coordinate space per view."""

    model_config = ConfigDict(frozen=True)

    version: str
    views: dict[View, ViewGeometry]


def _read(name: str) -> Any:
    text = resources.files("painmap.bodymap").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@cache
def region_table() -> dict[str, Any]:
    """The raw region table document (``data/regions.json``), with its sources."""
    return dict(_read("regions.json"))


def _load_chart() -> Chart:
    doc = _read("chart.json")
    return Chart.model_validate({"version": doc["version"], "views": doc["views"]})


#: The chart geometry (per-view width, height, outlines and region polygons).
CHART: Chart = _load_chart()

_REGIONS: tuple[Region, ...] = tuple(
    Region.model_validate(r) for r in region_table()["regions"]
)
_BY_ID: dict[str, Region] = {r.id: r for r in _REGIONS}

#: Region ids in table order (the column order of every region matrix).
REGION_IDS: tuple[str, ...] = tuple(r.id for r in _REGIONS)
#: Column index of each region id.
REGION_INDEX: dict[str, int] = {rid: i for i, rid in enumerate(REGION_IDS)}


def regions() -> list[Region]:
    """All regions of both views, in table order.

    Returns
    -------
    list of Region
        A new list; the regions themselves are immutable.
    """
    return list(_REGIONS)


def region(region_id: str) -> Region:
    """The region with this id.

    Parameters
    ----------
    region_id : str
        A region id such as ``f_dorsum_l``.

    Returns
    -------
    Region

    Raises
    ------
    ValidationFailure
        When the id is unknown (list the ids with ``painmap bodymap regions``).
    """
    try:
        return _BY_ID[region_id]
    except KeyError:
        raise ValidationFailure(
            "region", f"unknown region id {region_id!r}; list the ids with "
            "`painmap bodymap regions`"
        ) from None
