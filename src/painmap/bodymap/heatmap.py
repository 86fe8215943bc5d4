"""Cohort heatmaps: how often each point of the body hurts, and how much.

For every body pixel of the canonical raster, the *frequency* is the share of drawings
that paint it (a stroke covers it or its region is marked) and the *mean intensity* is the
mean of the highest intensity painted there, over the drawings that paint it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from painmap.bodymap.drawing import Drawing, View
from painmap.bodymap.pixels import DrawingBatch, iter_painted
from painmap.bodymap.raster import RASTER_STEP, VIEW_CODE, label_image
from painmap.bodymap.regions import CHART


@dataclass(frozen=True)
class HeatmapLayer:
    """Heatmap of one group of drawings.

    Attributes
    ----------
    group : str
        Group label (``all`` without ``--by``).
    n : int
        Number of drawings.
    frequency : ndarray, shape (n_body,)
        Share (0-1) of drawings painting each body pixel.
    mean_intensity : ndarray, shape (n_body,)
        Mean intensity where painted; NaN where fewer than ``min_count`` drawings paint
        the pixel (too few to average).
    count : ndarray, shape (n_body,)
        Number of drawings painting each body pixel.
    """

    group: str
    n: int
    frequency: NDArray[np.float64]
    mean_intensity: NDArray[np.float64]
    count: NDArray[np.float64]

    def image(self, values: NDArray[np.float64], view: View) -> NDArray[np.float64]:
        """Values as a (rows, cols) image of one view, NaN outside the body."""
        lab = label_image(RASTER_STEP)
        nv, ny, nx = lab.shape
        full = np.full(nv * ny * nx, np.nan)
        full[lab.body_pixel] = values
        out: NDArray[np.float64] = full.reshape(nv, ny, nx)[VIEW_CODE[view]]
        return out


def heatmap(drawings: DrawingBatch | Sequence[Drawing],
            groups: Sequence[str] | None = None, *, min_count: int = 5
            ) -> list[HeatmapLayer]:
    """Frequency and mean-intensity maps of a cohort, optionally split into groups.

    Parameters
    ----------
    drawings : DrawingBatch or sequence of Drawing
        The cohort's drawings (arrays for large cohorts).
    groups : sequence of str, optional
        Group label of each drawing (e.g. the patient's sex); one layer per label, sorted.
    min_count : int, optional
        Pixels painted by fewer drawings get no mean intensity (NaN).

    Returns
    -------
    list of HeatmapLayer
    """
    batch = drawings if isinstance(drawings, DrawingBatch) else \
        DrawingBatch.from_drawings(list(drawings))
    n = batch.n_drawings
    labels = ["all"] * n if groups is None else [str(g) for g in groups]
    if len(labels) != n:
        raise ValueError(f"groups has {len(labels)} labels for {n} drawings")
    names = sorted(set(labels)) or ["all"]
    code = {g: i for i, g in enumerate(names)}
    gidx = np.array([code[g] for g in labels], dtype=np.int64)
    nb = label_image(RASTER_STEP).n_body
    count = np.zeros(len(names) * nb)
    isum = np.zeros(len(names) * nb)
    for lo, hits in iter_painted(batch):
        cell = gidx[lo + hits.drawing] * nb + hits.body
        count += np.bincount(cell, minlength=len(names) * nb)
        isum += np.bincount(cell, weights=hits.intensity, minlength=len(names) * nb)
    count2 = count.reshape(len(names), nb)
    isum2 = isum.reshape(len(names), nb)
    sizes = np.bincount(gidx, minlength=len(names))
    layers = []
    for i, g in enumerate(names):
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count2[i] >= max(min_count, 1), isum2[i] / count2[i], np.nan)
        freq = count2[i] / sizes[i] if sizes[i] else np.zeros(nb)
        layers.append(HeatmapLayer(g, int(sizes[i]), freq, mean, count2[i]))
    return layers


def render_heatmap(layers: Sequence[HeatmapLayer], *, fmt: str = "png", title: str = "",
                   dpi: int = 100) -> bytes:
    """Draw heatmap layers (one row per group: frequency and mean intensity, both views).

    Parameters
    ----------
    layers : sequence of HeatmapLayer
        From :func:`heatmap`.
    fmt : {"png", "svg"}
        Output format.
    title : str, optional
        Figure title.
    dpi : int, optional
        Resolution of PNG output.

    Returns
    -------
    bytes
        The image file content.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    from painmap.bodymap.render import _RAMP, EDGE, OUTLINE, SKIN

    ramp = LinearSegmentedColormap.from_list(
        "painmap", [(t, tuple(c / 255 for c in rgb)) for t, rgb in _RAMP])
    freq_cmap = matplotlib.colormaps["magma_r"]
    rows = len(layers)
    fig, axes = plt.subplots(rows, 4, figsize=(11, 6.2 * rows + 0.6), squeeze=False)
    w = CHART.views[View.FRONT].width
    h = CHART.views[View.FRONT].height
    vmax_f = max(float(np.nanmax(la.frequency)) if la.n else 0.0 for la in layers) or 1.0
    ims = {}
    for r, layer in enumerate(layers):
        for c, (kind, view) in enumerate((("frequency", View.FRONT), ("frequency", View.BACK),
                                          ("mean", View.FRONT), ("mean", View.BACK))):
            ax = axes[r][c]
            geo = CHART.views[view]
            verts: list[tuple[float, float]] = []
            codes: list[Any] = []
            for p in geo.outlines:
                verts += [*p, p[0]]
                codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(p) - 1) + [MplPath.CLOSEPOLY]
            body = MplPath(verts, codes)
            ax.add_patch(PathPatch(body, facecolor=SKIN, edgecolor="none", zorder=0))
            vals = layer.frequency if kind == "frequency" else layer.mean_intensity
            img = layer.image(vals, view)
            if kind == "frequency":
                img = np.where(img > 0, img, np.nan)
                im = ax.imshow(img * 100, cmap=freq_cmap, vmin=0, vmax=vmax_f * 100,
                               extent=(0, w, h, 0), interpolation="nearest")
            else:
                im = ax.imshow(img, cmap=ramp, vmin=0, vmax=10, extent=(0, w, h, 0),
                               interpolation="nearest")
            im.set_zorder(0.5)
            im.set_clip_path(body, transform=ax.transData)
            ims[kind] = im
            from matplotlib.collections import LineCollection

            ax.add_collection(LineCollection(list(geo.regions.values()), colors=EDGE,
                                             linewidths=0.15, alpha=0.6))
            ax.add_collection(LineCollection(geo.contours, colors=OUTLINE, linewidths=0.8))
            ax.set_xlim(0, w)
            ax.set_ylim(h, 0)
            ax.set_aspect("equal")
            ax.axis("off")
            left, right = ("R", "L") if view == View.FRONT else ("L", "R")
            ax.text(10, 28, left, fontsize=10, color=OUTLINE)
            ax.text(w - 30, 28, right, fontsize=10, color=OUTLINE)
            what = "how often it hurts" if kind == "frequency" else "mean intensity"
            ax.set_title(f"{layer.group} (n={layer.n})\n{view.value}: {what}", fontsize=9,
                         color=OUTLINE)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93 if title else 0.96, bottom=0.08,
                        wspace=0.02, hspace=0.12)
    if title:
        fig.suptitle(title, fontsize=12, color=OUTLINE)
    cf = fig.add_axes((0.08, 0.035, 0.36, 0.015))
    fig.colorbar(ims["frequency"], cax=cf, orientation="horizontal").set_label(
        "% of drawings painting the point", fontsize=8)
    ci = fig.add_axes((0.56, 0.035, 0.36, 0.015))
    fig.colorbar(ims["mean"], cax=ci, orientation="horizontal").set_label(
        "mean intensity where painted (0-10)", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white")
    plt.close(fig)
    return buf.getvalue()
