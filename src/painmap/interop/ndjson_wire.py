"""A strict wire schema of an NDJSON line, for the import's compiled fast path.

These :mod:`msgspec` structs mirror :class:`~painmap.record.models.Patient`, its
encounters and the two record kinds that make up most of a cohort (pain drawings and
questionnaire answers), but they accept *less*: exact JSON types only (an integer may
stand for a float, as in the models; nothing is coerced from a string or a boolean), no
unknown keys, identifiers matched to the end of the text, dates in ``YYYY-MM-DD`` form.
msgspec checks them in C while it parses, which is what makes the fast path fast.

Whatever these structs reject is not an error yet: the line goes to the pydantic models,
which decide, and whose messages name the line, field and allowed values. Other record
kinds stay :class:`msgspec.Raw` and are validated by their model one by one.

The checks that span several values (unique encounter and region ids, dates not before
the birth year, answers allowed by the instrument) are done by
:mod:`painmap.interop.ndjson_rows` after decoding.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from painmap.bodymap.drawing import Quality, View
from painmap.bodymap.regions import CHART, REGION_INDEX
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

# The models' Identifier and Slug patterns; ``\Z`` because Python's ``$`` would also
# match before a final newline, which the models' (Rust) regex does not.
_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z"
_SLUG = r"^[a-z0-9][a-z0-9_]{0,63}\Z"

#: The largest chart view; points are bounded by it here and by their own view after.
MAX_WIDTH = max(geo.width for geo in CHART.views.values())
MAX_HEIGHT = max(geo.height for geo in CHART.views.values())
#: Views smaller than the largest one, whose points need a check of their own.
SMALLER_VIEWS = {
    view.value: (geo.width, geo.height)
    for view, geo in CHART.views.items()
    if (geo.width, geo.height) != (MAX_WIDTH, MAX_HEIGHT)
}

if TYPE_CHECKING:
    RegionId = str
else:
    RegionId = Literal[tuple(REGION_INDEX)]

Identifier = Annotated[str, msgspec.Meta(pattern=_ID)]
Slug = Annotated[str, msgspec.Meta(pattern=_SLUG)]
Intensity = Annotated[float, msgspec.Meta(ge=0.0, le=10.0)]
PainScore = Intensity
Note = Annotated[str, msgspec.Meta(max_length=2000)]
X = Annotated[float, msgspec.Meta(ge=0.0, le=MAX_WIDTH)]
Y = Annotated[float, msgspec.Meta(ge=0.0, le=MAX_HEIGHT)]


class _Tagged(msgspec.Struct, tag_field="kind", forbid_unknown_fields=True):
    """A record kind: ``kind`` first, then the fields in the model's order.

    Keyword-only fields keep the model's order whatever the defaults, so a struct
    encodes as its model dumps.
    """


class WireMark(msgspec.Struct, forbid_unknown_fields=True):
    """A region mark (fields in the model's order, so it encodes as the model dumps)."""

    id: RegionId
    intensity: Intensity
    qualities: list[Quality] = []


class WireStroke(msgspec.Struct, forbid_unknown_fields=True):
    """A freehand stroke."""

    view: View
    points: Annotated[list[tuple[X, Y]], msgspec.Meta(min_length=1)]
    width: Annotated[float, msgspec.Meta(gt=0.0, le=200.0)]
    intensity: Intensity
    quality: Quality | None = None


class WireDrawing(_Tagged, tag="pain_drawing"):
    """A ``pain_drawing`` record."""

    marks: list[WireMark] = []
    strokes: list[WireStroke] = []


class WireInstrument(_Tagged, tag="instrument"):
    """An ``instrument`` record."""

    instrument: Slug
    answers: list[Any] | dict[str, Any]


class WireExam(_Tagged, tag="exam", kw_only=True):
    """An ``exam`` record."""

    test: Slug
    result: FindingResult
    level: SpinalLevel | None = None
    root: Root | None = None
    side: Side | None = None
    note: Note | None = None


class WireImaging(_Tagged, tag="imaging", kw_only=True):
    """An ``imaging`` record."""

    modality: Modality = Modality.MRI
    finding: ImagingFinding
    level: SpinalLevel
    side: Side | None = None
    root: Root | None = None
    note: Note | None = None


class WireElectrodiagnostic(_Tagged, tag="electrodiagnostic", kw_only=True):
    """An ``electrodiagnostic`` record."""

    test: ElectroTest
    target: Slug
    finding: ElectroFinding
    root: Root | None = None
    side: Side | None = None
    note: Note | None = None


class WireBlock(_Tagged, tag="block", kw_only=True):
    """A ``block`` record."""

    type: BlockType
    levels: list[SpinalLevel] = []
    root: Root | None = None
    side: Side | None = None
    anaesthetic: Slug = "lidocaine"
    design: BlockDesign = BlockDesign.SINGLE
    pre_pain: PainScore
    post_pain: PainScore
    concordant_duration: bool | None = None
    note: Note | None = None


class WireTreatment(_Tagged, tag="treatment", kw_only=True):
    """A ``treatment`` record (``end`` not before ``start`` is checked after decoding)."""

    type: TreatmentType
    target: Structure | None = None
    level: SpinalLevel | None = None
    root: Root | None = None
    side: Side | None = None
    start: date
    end: date | None = None
    note: Note | None = None


WireRecord = (
    WireDrawing
    | WireInstrument
    | WireExam
    | WireImaging
    | WireElectrodiagnostic
    | WireBlock
    | WireTreatment
)


class WireEncounter(msgspec.Struct, forbid_unknown_fields=True):
    """An encounter."""

    id: Identifier
    date: date
    records: list[WireRecord] = []


class WirePatient(msgspec.Struct, forbid_unknown_fields=True):
    """One NDJSON line."""

    id: Identifier
    birth_year: Annotated[int, msgspec.Meta(ge=1900, le=2100)]
    sex: Sex
    pain_onset: date | None = None
    encounters: list[WireEncounter] = []


#: Decoders (reusable; they hold no state between calls).
PATIENT = msgspec.json.Decoder(WirePatient)
#: The encoder of canonical payload parts (same bytes as pydantic's JSON for the
#: values these structs admit: finite floats below 1e16, integers, strings).
ENCODER = msgspec.json.Encoder()

__all__ = [
    "ENCODER",
    "MAX_HEIGHT",
    "MAX_WIDTH",
    "PATIENT",
    "SMALLER_VIEWS",
    "WireBlock",
    "WireDrawing",
    "WireElectrodiagnostic",
    "WireEncounter",
    "WireExam",
    "WireImaging",
    "WireInstrument",
    "WireMark",
    "WirePatient",
    "WireRecord",
    "WireStroke",
    "WireTreatment",
]
