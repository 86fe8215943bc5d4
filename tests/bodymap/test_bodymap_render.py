"""Rendering: accessible SVG, interactive chart markup, PNG, heatmaps."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from bodymap_helpers import marks

from painmap.bodymap import Drawing, RegionMark, Stroke, regions
from painmap.bodymap.heatmap import heatmap, render_heatmap
from painmap.bodymap.raster import label_image
from painmap.bodymap.render import chart_svg, intensity_colour, render_png, render_svg

NS = "{http://www.w3.org/2000/svg}"


def _drawing() -> Drawing:
    return Drawing(marks=[RegionMark(id="b_buttock_l", intensity=7, qualities=["burning"])],
                   strokes=[Stroke(view="back", points=[(170, 560), (165, 760)], width=14,
                                   intensity=5)])


def test_render_svg_is_valid_and_titles_every_region() -> None:
    svg = render_svg(_drawing())
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    titles = [t.text or "" for t in root.iter(f"{NS}title")]
    assert len(titles) == len(regions()) + 1
    assert any(t.startswith("Left buttock (gluteal) (back): intensity 7/10 (burning)")
               for t in titles)
    assert root.find(f"{NS}desc") is not None
    assert "Quebec class 3" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


@pytest.mark.parametrize("view", ["front", "back"])
def test_interactive_chart_regions_are_focusable(view: str) -> None:
    root = ET.fromstring(chart_svg(view, interactive=True))
    paths = [p for p in root.iter(f"{NS}path") if p.get("data-region")]
    assert len(paths) == sum(r.view.value == view for r in regions())
    for p in paths:
        assert p.get("tabindex") == "0" and p.get("role") == "button"
        assert p.get("id") == p.get("data-region")
        assert p.get("aria-label") and p.find(f"{NS}title") is not None
    plain = ET.fromstring(chart_svg(view, interactive=False))
    assert all(p.get("tabindex") is None for p in plain.iter(f"{NS}path"))


def test_render_png() -> None:
    data = render_png(_drawing())
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000


def test_intensity_colours_get_darker() -> None:
    def lum(c: str) -> float:
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    lums = [lum(intensity_colour(v)) for v in range(11)]
    assert all(a > b for a, b in itertools.pairwise(lums))


def test_heatmap_frequency_and_mean_intensity() -> None:
    d1 = Drawing(marks=[RegionMark(id="b_heel_l", intensity=4)])
    d2 = Drawing(marks=[RegionMark(id="b_heel_l", intensity=8),
                        RegionMark(id="b_heel_r", intensity=6)])
    (layer,) = heatmap([d1, d2], min_count=1)
    lab = label_image()
    ids = [r.id for r in regions()]
    left = lab.body_label == ids.index("b_heel_l")
    right = lab.body_label == ids.index("b_heel_r")
    assert np.allclose(layer.frequency[left], 1.0)
    assert np.allclose(layer.frequency[right], 0.5)
    assert np.allclose(layer.mean_intensity[left], 6.0)
    assert np.allclose(layer.frequency[~(left | right)], 0.0)
    assert np.isnan(layer.mean_intensity[~(left | right)]).all()


def test_heatmap_groups_and_min_count() -> None:
    ds = [marks(["b_heel_l"]), marks(["b_heel_l"]), marks(["b_heel_r"])]
    layers = heatmap(ds, ["male", "female", "female"], min_count=2)
    assert [la.group for la in layers] == ["female", "male"]
    assert [la.n for la in layers] == [2, 1]
    assert np.isnan(layers[1].mean_intensity).all()  # one drawing < min_count
    png = render_heatmap(layers, fmt="png")
    assert png[:4] == b"\x89PNG"
    assert render_heatmap(layers, fmt="svg").lstrip().startswith(b"<?xml")
    with pytest.raises(ValueError, match="labels"):
        heatmap(ds, ["a"])
