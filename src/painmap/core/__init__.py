"""Shared vocabulary of painmap: enums, errors and date arithmetic, free of I/O."""

from painmap.core.enums import (
    LEVELS,
    ROOTS,
    BlockDesign,
    BlockType,
    ElectroFinding,
    ElectroTest,
    FindingResult,
    ImagingFinding,
    Modality,
    Root,
    Sex,
    Side,
    SpinalLevel,
    Structure,
    TreatmentType,
)
from painmap.core.errors import PainmapError, ValidationFailure

__all__ = [
    "LEVELS",
    "ROOTS",
    "BlockDesign",
    "BlockType",
    "ElectroFinding",
    "ElectroTest",
    "FindingResult",
    "ImagingFinding",
    "Modality",
    "PainmapError",
    "Root",
    "Sex",
    "Side",
    "SpinalLevel",
    "Structure",
    "TreatmentType",
    "ValidationFailure",
]
