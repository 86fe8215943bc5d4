"""The repository on SQLite and PostgreSQL: writes, reads, audit, all-or-nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from painmap_synth import all_kinds_patient, cohort
from sqlalchemy import func, select

from painmap.core.errors import ValidationFailure
from painmap.instruments import score
from painmap.record.models import Encounter, ExamRecord, InstrumentRecord, Patient
from painmap.store import (
    Actor,
    BackupUnsupported,
    DuplicateId,
    NotFound,
    Store,
    open_store,
    repository,
)
from painmap.store.audit import AuditRow, verify_chain
from painmap.store.tables import RecordRow

ACTOR = Actor("test:alice", "clinician")


def audit_rows(store: Store, action: str | None = None) -> list[AuditRow]:
    with store.session() as s:
        q = select(AuditRow).order_by(AuditRow.id)
        if action is not None:
            q = q.where(AuditRow.action == action)
        return list(s.execute(q).scalars())


def test_patients_round_trip_unchanged(store: Store) -> None:
    patients = [*cohort(30, seed=3), all_kinds_patient()]
    assert store.add_patients(patients, actor=ACTOR) == len(patients)
    assert store.count_patients() == len(patients)
    assert store.count_encounters() == sum(len(p.encounters) for p in patients)
    assert store.count_records() == sum(len(e.records) for p in patients for e in p.encounters)
    for p in patients:
        assert store.get_patient(p.id, actor=ACTOR) == p
    assert list(store.iter_patients(batch=7)) == sorted(patients, key=lambda p: p.id)


def test_instrument_records_are_scored_when_stored(store: Store) -> None:
    p = all_kinds_patient()
    store.add_patients([p], actor=ACTOR)
    rec = p.encounters[0].records[1]
    assert isinstance(rec, InstrumentRecord)
    expected = score(rec.instrument, rec.answers)
    with store.session() as s:
        row = s.execute(select(RecordRow).where(RecordRow.instrument == "odi")).scalar_one()
        assert row.score == pytest.approx(expected.score)
        assert row.score_max == expected.max
        assert row.score_category == expected.category
        assert row.score_complete is True
        assert row.score_answered == 10
        kinds = dict(s.execute(select(RecordRow.kind, func.count()).group_by(RecordRow.kind)).all())
    assert set(kinds) == {
        "pain_drawing",
        "instrument",
        "exam",
        "imaging",
        "electrodiagnostic",
        "block",
        "treatment",
    }
    chart = store.chart(p.id, actor=ACTOR)
    scored = [e for e in chart.entries if e.score is not None]
    assert len(scored) == 1 and scored[0].score is not None
    assert scored[0].score.score == pytest.approx(expected.score)
    assert chart.scores()[0]["instrument"] == "odi"


def test_typed_columns_are_filled(store: Store) -> None:
    p = all_kinds_patient()
    store.add_patients([p], actor=ACTOR)
    with store.session() as s:
        rows = {r.kind: r for r in s.execute(select(RecordRow)).scalars()}
    treatment = p.encounters[0].records[6]
    assert rows["treatment"].treatment_type == str(treatment.type)  # type: ignore[union-attr]
    assert rows["treatment"].start_date == treatment.start  # type: ignore[union-attr]
    assert rows["imaging"].level is not None
    assert rows["block"].pain_pre is not None


def test_duplicate_ids_write_nothing(store: Store) -> None:
    store.add_patients(cohort(3, seed=1), actor=ACTOR)
    before = (store.count_patients(), store.count_records(), len(audit_rows(store)))
    again = cohort(3, seed=2, prefix="N") + cohort(1, seed=1)  # last one exists already
    with pytest.raises(DuplicateId, match="already exists"):
        store.add_patients(again, actor=ACTOR)
    twice = cohort(2, seed=5, prefix="T") * 2
    with pytest.raises(DuplicateId, match="more than once"):
        store.add_patients(twice, actor=ACTOR)
    assert (store.count_patients(), store.count_records(), len(audit_rows(store))) == before


def test_failure_in_a_later_batch_rolls_back_earlier_batches(store: Store) -> None:
    good = cohort(1001, seed=4)  # more than two batches of 500

    def patients() -> Iterator[Patient]:
        yield from good
        raise ValidationFailure("line 1201", "broken")

    with pytest.raises(ValidationFailure):
        store.add_patients(patients(), actor=ACTOR)
    assert store.count_patients() == 0
    assert store.count_encounters() == 0
    assert audit_rows(store) == []
    assert store.is_empty()


def test_every_read_and_write_is_audited_and_chained(store: Store) -> None:
    patients = cohort(5, seed=9)
    store.add_patients(patients, actor=ACTOR)
    imports = audit_rows(store, "import")
    assert [r.patient_id for r in imports] == [p.id for p in patients]
    assert all(r.actor == "test:alice" and r.role == "clinician" for r in imports)
    store.get_patient(patients[0].id, actor=ACTOR)
    store.chart(patients[1].id, actor=ACTOR)
    reads = audit_rows(store, "read")
    assert [r.patient_id for r in reads] == [patients[0].id, patients[1].id]
    list(store.iter_patients(actor=ACTOR, action="export"))
    assert len(audit_rows(store, "export")) == 5
    store.list_patients(actor=ACTOR)
    assert audit_rows(store, "list")[0].detail == {"count": 5, "offset": 0}
    with store.session() as s:
        report = verify_chain(s)
    assert report.ok and report.rows == 5 + 2 + 5 + 1


def test_missing_patient_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_patient("nobody", actor=ACTOR)
    with pytest.raises(NotFound):
        store.timeline("nobody", actor=ACTOR)
    with pytest.raises(NotFound):
        store.add_encounter("nobody", Encounter(id="v1", date=date(2024, 1, 1)), actor=ACTOR)
    assert audit_rows(store) == []


def test_add_encounter_and_record(store: Store) -> None:
    p = cohort(1, seed=11)[0]
    store.add_patients([p], actor=ACTOR)
    enc = Encounter(
        id="later",
        date=date(2030, 1, 1),
        records=[ExamRecord(test="slr", result="positive", side="left")],  # type: ignore[list-item]
    )
    store.add_encounter(p.id, enc, actor=ACTOR)
    with pytest.raises(DuplicateId):
        store.add_encounter(p.id, enc, actor=ACTOR)
    with pytest.raises(ValidationFailure, match="birth year"):
        store.add_encounter(p.id, Encounter(id="old", date=date(1900, 1, 1)), actor=ACTOR)
    nrs = InstrumentRecord(instrument="nrs", answers=[7])
    assert store.add_record(p.id, "later", nrs, actor=ACTOR) == 1
    with pytest.raises(NotFound):
        store.add_record(p.id, "nope", nrs, actor=ACTOR)
    got = store.get_patient(p.id, actor=ACTOR)
    assert got.encounters[-1].id == "later"
    assert got.encounters[-1].records == [enc.records[0], nrs]
    last = store.timeline(p.id, actor=ACTOR)[-1]
    assert last.kind == "instrument" and last.score is not None and last.score.score == 7
    created = audit_rows(store, "create")
    assert [r.entity for r in created] == ["encounter", "record"]
    assert created[1].entity_id == "later/1"


def test_list_patients_search_and_paging(store: Store) -> None:
    store.add_patients(cohort(12, seed=2), actor=ACTOR)
    rows = store.list_patients(actor=ACTOR, limit=5)
    assert [r.id for r in rows] == [f"S{i:04d}" for i in range(1, 6)]
    page2 = store.list_patients(actor=ACTOR, limit=5, offset=5)
    assert page2[0].id == "S0006"
    found = store.list_patients(actor=ACTOR, search="s001")
    assert [r.id for r in found] == ["S0010", "S0011", "S0012"]
    one = store.get_patient("S0010", actor=ACTOR)
    assert found[0].encounters == len(one.encounters)
    assert found[0].first_visit == one.encounters[0].date
    assert found[0].last_visit == one.encounters[-1].date
    with pytest.raises(ValidationFailure):
        store.list_patients(actor=ACTOR, limit=-1)


@pytest.mark.parametrize("run", [2, 5_000])
def test_list_patients_of_given_ids(
    store: Store, run: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "LIST_IDS_RUN", run)  # 2: several IN lists, merged
    store.add_patients(cohort(12, seed=2), actor=ACTOR)
    everyone = {r.id: r for r in store.list_patients(actor=ACTOR, limit=100)}
    ids = {"S0011", "S0002", "S0007", "S0010", "nobody"}
    rows = store.list_patients(actor=ACTOR, ids=ids, limit=100)
    assert [r.id for r in rows] == ["S0002", "S0007", "S0010", "S0011"]
    assert all(r == everyone[r.id] for r in rows)  # the same counts and visit dates
    paged = store.list_patients(actor=ACTOR, ids=ids, limit=2, offset=1)
    assert [r.id for r in paged] == ["S0007", "S0010"]
    found = store.list_patients(actor=ACTOR, ids=ids, search="s001")
    assert [r.id for r in found] == ["S0010", "S0011"]
    assert store.list_patients(actor=ACTOR, ids=[]) == []


def test_timeline_is_in_date_and_position_order(store: Store) -> None:
    p = cohort(1, seed=21)[0]
    store.add_patients([p], actor=ACTOR)
    entries = store.timeline(p.id, actor=ACTOR)
    assert [(e.encounter_id, e.position) for e in entries] == [
        (e.id, i) for e in p.encounters for i in range(len(e.records))
    ]
    assert [e.date for e in entries] == sorted(e.date for e in entries)


def test_backup(store: Store, tmp_path: Path) -> None:
    store.add_patients(cohort(20, seed=8), actor=ACTOR)
    target = tmp_path / "copy" / "backup.db"
    if store.backend != "sqlite":
        with pytest.raises(BackupUnsupported, match="pg_dump") as err:
            store.backup(target)
        assert "password" not in str(err.value).lower() or "PGPASSWORD" in str(err.value)
        assert not target.exists()
        return
    report = store.backup(target)
    assert report.patients == 20 and report.path == target
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(f"sqlite:///{target}") as copy:
        assert copy.count_records() == store.count_records()
        assert list(copy.iter_patients()) == list(store.iter_patients())
    with pytest.raises(ValidationFailure, match="already exists"):
        store.backup(target)


def test_timeline_query_uses_the_primary_key(sqlite_url: str) -> None:
    with open_store(sqlite_url, create=True) as store, store.engine.connect() as conn:
        for sql in (
            "SELECT * FROM encounters WHERE patient_id = 'x'",
            "SELECT * FROM records WHERE patient_id = 'x' ORDER BY encounter_id, position",
        ):
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_pg_dump_guidance_hides_the_password(tmp_path: Path) -> None:
    from painmap.store import pg_dump_guidance

    text = pg_dump_guidance("postgresql+psycopg://alice:s3cret@db.example:5433/painmap", tmp_path)
    assert "s3cret" not in text
    assert "pg_dump --format=custom" in text and "pg_restore" in text
    assert "postgresql://alice@db.example:5433/painmap" in text


def test_ids_are_listed_in_byte_order_on_every_backend(store: Store) -> None:
    ids = ["b-1", "B_2", "a_1", "A-1", "Z9", "a-1", "x0"]
    patients = [
        p.model_copy(update={"id": i}) for p, i in zip(cohort(len(ids), seed=40), ids, strict=True)
    ]
    store.add_patients(patients, actor=ACTOR)
    expected = sorted(ids, key=lambda i: i.encode())
    assert [p.id for p in store.iter_patients(batch=2)] == expected
    assert store.patient_ids() == expected
    assert [r.id for r in store.list_patients(actor=ACTOR)] == expected
    assert [r.id for r in store.list_patients(actor=ACTOR, search="_")] == ["B_2", "a_1"]
