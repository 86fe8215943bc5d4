"""Body map: chart geometry, region schemes, drawings, metrics and heatmaps."""

from painmap.bodymap.drawing import Drawing, Quality, RegionMark, Stroke, View
from painmap.bodymap.features import DrawingFeatures, features
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
    "DrawingFeatures",
    "DrawingMetrics",
    "Quality",
    "Region",
    "RegionMark",
    "Stroke",
    "View",
    "compute_metrics",
    "features",
    "marks_matrix",
    "metrics_batch",
    "region",
    "regions",
    "validate_drawing",
]
