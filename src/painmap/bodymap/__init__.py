"""Body map: chart geometry, region schemes, drawings, metrics and heatmaps."""

from painmap.bodymap.compare import DrawingComparison, compare
from painmap.bodymap.drawing import Drawing, Quality, RegionMark, Stroke, View
from painmap.bodymap.features import DrawingFeatures, features
from painmap.bodymap.heatmap import HeatmapLayer, heatmap, render_heatmap
from painmap.bodymap.metrics import (
    BatchMetrics,
    DermatomeScore,
    DrawingMetrics,
    compute_metrics,
    marks_matrix,
    metrics_batch,
)
from painmap.bodymap.regions import (
    ACR_REGIONS,
    CHART,
    REGION_IDS,
    WPI_SITES,
    Chart,
    Region,
    region,
    regions,
)
from painmap.bodymap.render import chart_svg, render_png, render_svg
from painmap.bodymap.validate import validate_drawing

__all__ = [
    "ACR_REGIONS",
    "CHART",
    "REGION_IDS",
    "WPI_SITES",
    "BatchMetrics",
    "Chart",
    "DermatomeScore",
    "Drawing",
    "DrawingComparison",
    "DrawingFeatures",
    "DrawingMetrics",
    "HeatmapLayer",
    "Quality",
    "Region",
    "RegionMark",
    "Stroke",
    "View",
    "chart_svg",
    "compare",
    "compute_metrics",
    "features",
    "heatmap",
    "marks_matrix",
    "metrics_batch",
    "region",
    "regions",
    "render_heatmap",
    "render_png",
    "render_svg",
    "validate_drawing",
]
