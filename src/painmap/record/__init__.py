"""The longitudinal clinical record: patients, encounters and their records.

Pure pydantic models; no I/O. The store persists them and the interchange layer
reads and writes them as NDJSON, one :class:`Patient` per line.
"""

from painmap.record.models import (
    BlockRecord,
    ElectrodiagnosticRecord,
    Encounter,
    ExamRecord,
    ImagingRecord,
    InstrumentRecord,
    PainDrawingRecord,
    Patient,
    Record,
    TreatmentRecord,
)

__all__ = [
    "BlockRecord",
    "ElectrodiagnosticRecord",
    "Encounter",
    "ExamRecord",
    "ImagingRecord",
    "InstrumentRecord",
    "PainDrawingRecord",
    "Patient",
    "Record",
    "TreatmentRecord",
]
