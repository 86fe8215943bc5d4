"""Body map: chart geometry, region schemes, drawings, metrics and heatmaps."""

from painmap.bodymap.drawing import Drawing, Quality, RegionMark, Stroke, View

__all__ = ["Drawing", "Quality", "RegionMark", "Stroke", "View"]
