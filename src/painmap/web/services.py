"""What the routes do with patient data, through the store (which audits each call).

Each function here makes exactly one audited store call per request that reads or
writes patient data, so the audit log holds one row per such request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from painmap.record.models import Encounter, Patient, Record
from painmap.store import Actor, DuplicateId, NotFound, PatientChart, PatientSummary, audit
from painmap.web import policy
from painmap.web.core.security import pseudonym
from painmap.web.deps import AppState, Forbidden, NotFoundError
from painmap.web.models import PatientsPublic, RecordCreated
from painmap.web.models import PatientSummary as PublicSummary
from painmap.web.policy import Principal
from painmap.web.views.page_cache import ChartParts, chart_digest, render_chart

RECORD_ADAPTER: TypeAdapter[Record] = TypeAdapter(Record)


def actor(who: Principal) -> Actor:
    """The audit actor of a logged-in user."""
    return Actor(name=who.username, role=who.role)


def today(state: AppState) -> date:
    """Today's date by the app clock (UTC)."""
    return state.settings.clock().date()


def web_encounter_id(on: date) -> str:
    """Id of the encounter the web app opens on a given day (``w20261123``)."""
    return "w" + on.strftime("%Y%m%d")


# ------------------------------------------------------------------ pseudonymisation


def research_id(state: AppState, patient_id: str) -> str:
    """Research pseudonym of a patient id."""
    return pseudonym(state.pseudonym_key(), patient_id)


def resolve_research_id(state: AppState, rid: str) -> str | None:
    """The patient id behind a research pseudonym, or None."""
    ids = state.db.store.patient_ids()
    cached = state.cache.get("pseudonyms")
    if cached is None or cached[0] != len(ids):
        key = state.pseudonym_key()
        cached = (len(ids), {pseudonym(key, i): i for i in ids})
        state.cache["pseudonyms"] = cached
    found: str | None = cached[1].get(rid)
    return found


def date_shift_days(state: AppState, patient_id: str) -> int:
    """Per-patient date shift (0-364 days, keyed), so intervals survive pseudonymisation."""
    return int(research_id(state, "shift:" + patient_id)[2:], 16) % 365


def pseudonymise(state: AppState, patient: Patient) -> dict[str, Any]:
    """A patient as a researcher sees it: pseudonym, 5-year birth band, shifted dates, no notes.

    Parameters
    ----------
    state : AppState
        For the pseudonym key.
    patient : Patient
        The full record.

    Returns
    -------
    dict
        JSON-ready patient with ``id`` replaced, ``birth_year`` rounded down to 5 years,
        every date moved back by the patient's keyed shift and free-text notes removed.
    """
    from datetime import timedelta

    shift = timedelta(days=date_shift_days(state, patient.id))
    data = patient.model_dump(mode="python")

    def move(value: Any) -> Any:
        return value - shift if isinstance(value, date) else value

    out: dict[str, Any] = {
        "id": research_id(state, patient.id),
        "birth_year": patient.birth_year - patient.birth_year % 5,
        "sex": str(data["sex"]),
        "pain_onset": move(data.get("pain_onset")),
        "encounters": [],
    }
    for i, enc in enumerate(data["encounters"]):
        records = []
        for rec in enc["records"]:
            clean = {k: move(v) for k, v in rec.items() if k != "note"}
            records.append(clean)
        out["encounters"].append({"id": f"v{i}", "date": move(enc["date"]), "records": records})
    json_ready: dict[str, Any] = TypeAdapter(dict[str, Any]).dump_python(out, mode="json")
    return json_ready


# --------------------------------------------------------------------------- reads


def _summary(s: PatientSummary) -> PublicSummary:
    return PublicSummary(
        id=s.id, birth_year=s.birth_year, sex=s.sex, encounters=s.encounters,
        last_visit=s.last_visit,
    )


def list_patients(
    state: AppState, who: Principal, *, search: str | None, limit: int, offset: int
) -> PatientsPublic:
    """The patients ``who`` may see (one audited ``list`` call)."""
    visible = policy.visible_patient_ids(who)
    search = (search or "").strip() or None
    if who.role == "researcher":
        rows = state.db.write(
            lambda _s: state.db.store.list_patients(actor=actor(who), limit=limit, offset=offset)
        )
        data = []
        for r in rows:
            rid = research_id(state, r.id)
            if search and search.lower() not in rid.lower():
                continue
            data.append(
                PublicSummary(
                    id=rid, birth_year=r.birth_year - r.birth_year % 5, sex=r.sex,
                    encounters=r.encounters, last_visit=None,
                )
            )
        return PatientsPublic(data=data, count=len(data), pseudonymised=True)
    if visible is None:
        rows = state.db.write(
            lambda _s: state.db.store.list_patients(
                actor=actor(who), search=search, limit=limit, offset=offset
            )
        )
        return PatientsPublic(data=[_summary(r) for r in rows], count=len(rows))
    if not visible:
        return PatientsPublic(data=[], count=0)
    rows = state.db.write(  # all of the caller's patients (so the count is all of them)
        lambda _s: state.db.store.list_patients(
            actor=actor(who), search=search, ids=visible, limit=len(visible)
        )
    )
    mine = [_summary(r) for r in rows]
    return PatientsPublic(data=mine[offset : offset + limit], count=len(mine))


def check_read(state: AppState, who: Principal, patient_id: str) -> None:
    """Raise :class:`Forbidden` unless ``who`` may read ``patient_id``."""
    if not policy.can_read(who, patient_id):
        raise Forbidden("this patient is not in your care")


def load_chart(state: AppState, who: Principal, patient_id: str) -> PatientChart:
    """The whole chart of a patient ``who`` may read (one audited ``read``)."""
    check_read(state, who, patient_id)
    return state.db.write(lambda _s: state.db.store.chart(patient_id, actor=actor(who)))


def patient_page_chart(state: AppState, who: Principal, patient_id: str) -> ChartParts:
    """The rendered chart part of the clinician's patient page (one audited ``read``).

    In one transaction, the chart's digest is computed and, when the page was already
    rendered from exactly this chart version today, the ``read`` is audited there and
    the kept page returned. Otherwise the store reads (and audits) the chart, the page is
    rendered, and it is kept when the digest taken afterwards is unchanged. Either way
    the request appends exactly one audit row, the same one :meth:`Store.chart` writes.
    """
    check_read(state, who, patient_id)
    on = today(state)

    def kept(s: Session) -> tuple[str | None, ChartParts | None]:
        digest = chart_digest(s, patient_id)
        parts = None if digest is None else state.charts.get(patient_id, digest, on)
        if parts is not None:
            audit.append(
                s, actor(who), "read", "patient", entity_id=patient_id, patient_id=patient_id
            )
        return digest, parts

    digest, parts = state.db.write(kept)
    if parts is not None:
        return parts
    chart = state.db.write(lambda _s: state.db.store.chart(patient_id, actor=actor(who)))
    module = state.templates.env.get_template("patient_chart.html").module
    parts = render_chart(module, chart, today=on)
    with state.db.read() as s:
        if digest is not None and chart_digest(s, patient_id) == digest:
            state.charts.put(patient_id, digest, on, parts)
    return parts


def resolve_api_patient(state: AppState, who: Principal, given_id: str) -> str:
    """The real patient id behind an id given in the API (a pseudonym for researchers)."""
    if who.role == "researcher":
        real = resolve_research_id(state, given_id)
        if real is None:
            raise NotFoundError("no patient with this research id")
        return real
    return given_id


# -------------------------------------------------------------------------- writes


def parse_record(raw: dict[str, Any]) -> Record:
    """Validate a record dict into its typed model (pydantic errors name the field)."""
    return RECORD_ADAPTER.validate_python(raw)


def add_record(state: AppState, who: Principal, patient_id: str, record: Record) -> RecordCreated:
    """Store ``record`` in the patient's current (today's) encounter, creating it if needed.

    Exactly one audited store call succeeds: ``add_record`` when today's encounter
    exists, else ``add_encounter`` with the record in it.

    Raises
    ------
    Forbidden
        When ``who`` may not add this kind of record to this patient.
    """
    if not policy.can_write(who, patient_id, record.kind):
        raise Forbidden(f"you may not add a {record.kind} record to this patient")
    on = today(state)
    eid = web_encounter_id(on)
    store = state.db.store
    for _attempt in range(3):
        try:
            pos = state.db.write(
                lambda _s: store.add_record(patient_id, eid, record, actor=actor(who))
            )
            return RecordCreated(encounter_id=eid, date=on, kind=record.kind, position=pos)
        except NotFound:
            try:
                state.db.write(
                    lambda _s: store.add_encounter(
                        patient_id, Encounter(id=eid, date=on, records=[record]), actor=actor(who)
                    )
                )
                return RecordCreated(encounter_id=eid, date=on, kind=record.kind, position=0)
            except DuplicateId:
                continue  # opened concurrently: add to it
    raise Forbidden("could not open today's encounter")
