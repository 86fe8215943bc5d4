"""Build ranking evidence from the stored clinical record of one patient.

Mapping (records up to a date or an encounter; the latest value wins per item and
location):

* ``exam`` → a finding whose item is the exam's ``test`` (when the knowledge base has it);
* ``imaging`` (MRI) finding ``X`` → item ``mri_X``; CT/X-ray findings are not counted
  (their accuracy was measured on MRI) and are listed in the notes;
* ``electrodiagnostic`` fibrillations / positive sharp waves in a root's myotome →
  ``emg_fibrillations`` positive for that root and side; a normal study of that root →
  negative;
* ``block`` → a block (percent relief computed from the pain before and after);
* ``instrument`` → the latest answers per instrument the knowledge base uses;
* ``pain_drawing`` → the latest drawing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from painmap.bodymap.drawing import Drawing
from painmap.core.enums import ElectroFinding, Modality
from painmap.core.errors import ValidationFailure
from painmap.generators.candidates import LEVEL_NAMES, ROOT_NAMES
from painmap.generators.evidence import (
    BlockEvidence,
    Evidence,
    Finding,
    check_block,
    check_evidence,
)
from painmap.generators.knowledge import item_index, load_kb
from painmap.record.models import (
    BlockRecord,
    ElectrodiagnosticRecord,
    Encounter,
    ExamRecord,
    ImagingRecord,
    InstrumentRecord,
    PainDrawingRecord,
    Patient,
)

_SPONTANEOUS = frozenset({ElectroFinding.FIBRILLATIONS, ElectroFinding.POSITIVE_SHARP_WAVES})
_FLIP = {"positive": "present", "present": "positive", "negative": "absent", "absent": "negative"}


def _encounters(patient: Patient, until: date | None, encounter_id: str | None) -> list[Encounter]:
    encounters = list(patient.encounters)
    if encounter_id is not None:
        ids = [e.id for e in encounters]
        if encounter_id not in ids:
            raise ValidationFailure("encounter", f"unknown encounter {encounter_id!r}", ids)
        encounters = encounters[: ids.index(encounter_id) + 1]
    if until is not None:
        encounters = [e for e in encounters if e.date <= until]
    return encounters


_OUTSIDE = "is outside the ranked range"


def _ranked_root(value: object) -> str | None:
    return None if value is None or str(value) not in ROOT_NAMES else str(value)


def _side(value: object) -> str | None:
    return None if value is None else str(value)


def evidence_from_record(
    patient: Patient, *, until: date | None = None, encounter_id: str | None = None
) -> Evidence:
    """Evidence for ranking from a patient's stored records.

    Parameters
    ----------
    patient : Patient
        The patient with encounters and records.
    until : datetime.date, optional
        Use only encounters on or before this date (the age is taken on this date, else
        on the last encounter used).
    encounter_id : str, optional
        Use encounters up to and including this one.

    Returns
    -------
    Evidence
        Validated evidence; records painmap cannot use are listed in ``notes``.

    Raises
    ------
    ValidationFailure
        Unknown encounter, or no encounter to rank.
    """
    encounters = _encounters(patient, until, encounter_id)
    if not encounters:
        raise ValidationFailure("encounter", "no encounter on or before the requested date")
    on = until if until is not None and encounter_id is None else encounters[-1].date
    items = item_index()
    instrument_items = {i.instrument for i in load_kb().items if i.instrument}
    findings: dict[tuple[str, str | None, str | None, str | None], Finding] = {}
    blocks: list[BlockEvidence] = []
    instruments: dict[str, list[Any] | dict[str, Any]] = {}
    drawing: Drawing | None = None
    notes: list[str] = []

    def put(f: Finding) -> None:
        findings[(f.item, f.level, f.root, f.side)] = f

    for enc in encounters:
        for k, rec in enumerate(enc.records):
            where = f"encounter {enc.id} record {k}"
            if isinstance(rec, ExamRecord):
                item = items.get(rec.test)
                if item is None or item.block is not None:
                    notes.append(f"{where}: exam test {rec.test!r} is not in the knowledge base")
                    continue
                result = str(rec.result)
                if result not in item.results:
                    result = _FLIP[result]
                if result not in item.results or any(
                    getattr(rec, f, None) is None for f in item.requires
                ):
                    notes.append(f"{where}: {rec.test} {rec.result} cannot be used as recorded")
                    continue
                level = None if rec.level is None else str(rec.level)
                root = None if rec.root is None else str(rec.root)
                if (level is not None and level not in LEVEL_NAMES) or (
                    root is not None and root not in ROOT_NAMES
                ):
                    notes.append(
                        f"{where}: {rec.test} at {level or root} is outside the ranked range"
                    )
                    continue
                put(
                    Finding(
                        item=rec.test, result=result, level=level, root=root, side=_side(rec.side)
                    )
                )
            elif isinstance(rec, ImagingRecord):
                item_id = f"mri_{rec.finding}"
                if rec.modality != Modality.MRI or item_id not in items:
                    notes.append(f"{where}: {rec.modality} {rec.finding} is not counted")
                    continue
                if str(rec.level) not in LEVEL_NAMES:
                    notes.append(
                        f"{where}: {rec.finding} at {rec.level} is outside the ranked range"
                    )
                    continue
                root = (
                    None if rec.root is None or str(rec.root) not in ROOT_NAMES else str(rec.root)
                )
                put(
                    Finding(
                        item=item_id,
                        result="present",
                        level=str(rec.level),
                        root=root,
                        side=_side(rec.side),
                    )
                )
            elif isinstance(rec, ElectrodiagnosticRecord):
                if rec.root is None or str(rec.root) not in ROOT_NAMES:
                    continue
                key_side = _side(rec.side)
                if rec.finding in _SPONTANEOUS:
                    put(
                        Finding(
                            item="emg_fibrillations",
                            result="positive",
                            root=str(rec.root),
                            side=key_side,
                        )
                    )
                elif rec.finding == ElectroFinding.NORMAL:
                    key = ("emg_fibrillations", None, str(rec.root), key_side)
                    if key not in findings or findings[key].result != "positive":
                        put(
                            Finding(
                                item="emg_fibrillations",
                                result="negative",
                                root=str(rec.root),
                                side=key_side,
                            )
                        )
            elif isinstance(rec, BlockRecord):
                block = BlockEvidence(
                    type=rec.type,
                    levels=[str(lv) for lv in rec.levels if str(lv) in LEVEL_NAMES],
                    root=None
                    if rec.root is None or str(rec.root) not in ROOT_NAMES
                    else str(rec.root),
                    side=_side(rec.side),
                    design=rec.design,
                    relief_percent=max(0.0, min(100.0, rec.relief_percent)),
                    concordant_duration=rec.concordant_duration,
                )
                try:
                    check_block(block, where)
                except ValidationFailure as exc:
                    notes.append(f"{where}: block not used ({exc.message})")
                    continue
                blocks.append(block)
            elif isinstance(rec, InstrumentRecord):
                if rec.instrument in instrument_items:
                    instruments[rec.instrument] = rec.answers
            elif isinstance(rec, PainDrawingRecord):
                drawing = Drawing(marks=rec.marks, strokes=rec.strokes)
    evidence = Evidence(
        age=max(patient.age_on(on), 1),
        sex=patient.sex,
        drawing=drawing,
        instruments=instruments or None,
        findings=list(findings.values()),
        blocks=blocks,
        notes=notes,
    )
    check_evidence(evidence)
    return evidence
