"""Typed records of the clinical record (pydantic v2, no I/O).

One :class:`Patient` holds dated :class:`Encounter` s; each encounter holds records
told apart by their ``kind``: ``pain_drawing``, ``instrument``, ``exam``, ``imaging``,
``electrodiagnostic``, ``block`` and ``treatment``. Derived facts (pain duration,
chronicity, block relief) are computed from what is stored, never stored by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from painmap.bodymap.drawing import Drawing
from painmap.core.dates import is_chronic, months_between
from painmap.core.enums import (
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

#: Pseudonymous identifiers: letters, digits, ``-`` and ``_``; never a name.
Identifier = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", strict=True)
]
#: Short machine names such as a test id: lower-case words joined by ``_``.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]
PainScore = Annotated[float, Field(ge=0, le=10)]
Note = Annotated[str, StringConstraints(max_length=2000)]

_STRICT = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class PainDrawingRecord(Drawing):
    """A pain drawing made at an encounter (region marks and raw freehand strokes)."""

    kind: Literal["pain_drawing"] = "pain_drawing"


class InstrumentRecord(BaseModel):
    """Answers to one questionnaire, in published item order (``None`` = missing).

    The answers are checked against the instrument's definition
    (:func:`painmap.instruments.validate_answers`) when the record is built.
    """

    model_config = _STRICT

    kind: Literal["instrument"] = "instrument"
    instrument: Slug
    answers: list[Any] | dict[str, Any]

    @model_validator(mode="after")
    def _check_answers(self) -> InstrumentRecord:
        from painmap.instruments import validate_answers

        validate_answers(self.instrument, self.answers)
        return self


class ExamRecord(BaseModel):
    """A named clinical examination test with its result, level and side."""

    model_config = _STRICT

    kind: Literal["exam"] = "exam"
    test: Slug
    result: FindingResult
    level: SpinalLevel | None = None
    root: Root | None = None
    side: Side | None = None
    note: Note | None = None


class ImagingRecord(BaseModel):
    """One imaging finding at one spinal level and side."""

    model_config = _STRICT

    kind: Literal["imaging"] = "imaging"
    modality: Modality = Modality.MRI
    finding: ImagingFinding
    level: SpinalLevel
    side: Side | None = None
    root: Root | None = None
    note: Note | None = None


class ElectrodiagnosticRecord(BaseModel):
    """A needle-EMG or nerve-conduction finding in one muscle or nerve."""

    model_config = _STRICT

    kind: Literal["electrodiagnostic"] = "electrodiagnostic"
    test: ElectroTest
    target: Slug = Field(description="Muscle or nerve, e.g. tibialis_anterior, peroneal.")
    finding: ElectroFinding
    root: Root | None = Field(default=None, description="Root whose myotome the target is in.")
    side: Side | None = None
    note: Note | None = None


class BlockRecord(BaseModel):
    """A diagnostic block with the pain before and after it."""

    model_config = _STRICT

    kind: Literal["block"] = "block"
    type: BlockType
    levels: list[SpinalLevel] = Field(default_factory=list)
    root: Root | None = None
    side: Side | None = None
    anaesthetic: Slug = "lidocaine"
    design: BlockDesign = BlockDesign.SINGLE
    pre_pain: PainScore
    post_pain: PainScore
    concordant_duration: bool | None = None
    note: Note | None = None

    @property
    def relief_percent(self) -> float:
        """Percent pain relief, ``(pre - post) / pre * 100``; 0 when ``pre`` is 0."""
        if self.pre_pain == 0:
            return 0.0
        return (self.pre_pain - self.post_pain) / self.pre_pain * 100.0


class TreatmentRecord(BaseModel):
    """A treatment, the structure it targets, and its dates."""

    model_config = _STRICT

    kind: Literal["treatment"] = "treatment"
    type: TreatmentType
    target: Structure | None = None
    level: SpinalLevel | None = None
    root: Root | None = None
    side: Side | None = None
    start: date
    end: date | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _check_dates(self) -> TreatmentRecord:
        if self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


Record = Annotated[
    PainDrawingRecord
    | InstrumentRecord
    | ExamRecord
    | ImagingRecord
    | ElectrodiagnosticRecord
    | BlockRecord
    | TreatmentRecord,
    Field(discriminator="kind"),
]

#: The allowed values of ``kind``, in a stable order.
RECORD_KINDS: tuple[str, ...] = (
    "pain_drawing",
    "instrument",
    "exam",
    "imaging",
    "electrodiagnostic",
    "block",
    "treatment",
)


class Encounter(BaseModel):
    """A dated visit of one patient, with the records made at it."""

    model_config = _STRICT

    id: Identifier
    date: date
    records: list[Record] = Field(default_factory=list)


class Patient(BaseModel):
    """A pseudonymous patient and their encounters (one NDJSON line).

    Attributes
    ----------
    id : str
        Pseudonymous identifier; never a name or a hospital number.
    birth_year : int
        Year of birth (only the year is kept).
    sex : Sex
        Administrative sex.
    pain_onset : datetime.date, optional
        Onset of the current episode of back pain.
    encounters : list of Encounter
        Visits in date order.
    """

    model_config = _STRICT

    id: Identifier
    birth_year: int = Field(ge=1900, le=2100)
    sex: Sex
    pain_onset: date | None = None
    encounters: list[Encounter] = Field(default_factory=list)

    @field_validator("encounters")
    @classmethod
    def _unique_sorted(cls, encounters: list[Encounter]) -> list[Encounter]:
        seen: set[str] = set()
        for e in encounters:
            if e.id in seen:
                raise ValueError(f"duplicate encounter id {e.id!r}")
            seen.add(e.id)
        return sorted(encounters, key=lambda e: (e.date, e.id))

    @model_validator(mode="after")
    def _check_dates(self) -> Patient:
        if self.pain_onset is not None and self.pain_onset.year < self.birth_year:
            raise ValueError("pain_onset precedes birth_year")
        for e in self.encounters:
            if e.date.year < self.birth_year:
                raise ValueError(f"encounter {e.id!r} date precedes birth_year")
        return self

    def age_on(self, on: date) -> int:
        """Age in whole years on a date (birth assumed mid-year, as only the year is kept)."""
        return on.year - self.birth_year - (1 if on.month < 7 else 0)

    def pain_duration_months(self, on: date) -> float | None:
        """Months since pain onset on date ``on``, or None when onset is unknown."""
        if self.pain_onset is None:
            return None
        return months_between(self.pain_onset, on)

    def is_chronic(self, on: date) -> bool | None:
        """Whether back pain is chronic (> 3 months, IASP) on ``on``; None if unknown."""
        if self.pain_onset is None:
            return None
        return is_chronic(self.pain_onset, on)
