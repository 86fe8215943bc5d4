"""Group commit: concurrent audited units share a transaction, each all or nothing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

import pytest
from painmap_synth import cohort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from painmap.record.models import Encounter, InstrumentRecord
from painmap.store import Actor, NotFound, Store, audit
from painmap.store.audit import AuditRow, verify_chain
from painmap.store.group_commit import GroupCommit
from painmap.store.tables import EncounterRow

SETUP = Actor("test:setup", "admin")


def _seeded(store: Store, n: int = 3) -> list[str]:
    patients = cohort(n, seed=41)
    store.add_patients(patients, actor=SETUP)
    for p in patients:
        store.add_encounter(p.id, Encounter(id="g", date=date(2030, 1, 1)), actor=SETUP)
    return [p.id for p in patients]


def _actors(store: Store) -> Counter[str]:
    with store.session() as s:
        return Counter(s.execute(select(AuditRow.actor)).scalars())


def _chain_ok(store: Store) -> None:
    with store.session() as s:
        report = verify_chain(s)
    assert report.ok, report


class Gate:
    """A writer turn the test opens: units pile up behind it, then go as one batch."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        self.entered += 1
        self.open.wait(30)
        yield


def _submit(
    group: GroupCommit, fns: list[Callable[[Session], Any]]
) -> tuple[list[threading.Thread], list[Any]]:
    """Run each unit from its own thread; return each one's value or exception."""
    out: list[Any] = [None] * len(fns)

    def go(i: int) -> None:
        try:
            out[i] = group.run(fns[i])
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
        time.sleep(0.02)  # a stable submission order
    return threads, out


def _gated_batch(
    store: Store, fns: list[Callable[[Session], Any]]
) -> tuple[GroupCommit, list[Any]]:
    """Run ``fns`` as one batch (they all wait behind a closed turn), in this order."""
    gate = Gate()
    group = GroupCommit(store.engine, turn=gate)
    threads, out = _submit(group, fns)
    deadline = time.monotonic() + 30
    while len(group._pending) < len(fns) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(group._pending) == len(fns)
    gate.open.set()
    for t in threads:
        t.join(30)
    return group, out


def _add(store: Store, pid: str, who: str, value: int) -> Callable[[Session], int]:
    rec = InstrumentRecord(instrument="nrs", answers=[value])
    return lambda _s: store.add_record(pid, "g", rec, actor=Actor(who, "clinician"))


def test_one_batch_one_transaction_and_a_failing_unit_is_rolled_back_alone(store: Store) -> None:
    ids = _seeded(store)
    before = store.count_records()

    def bad(s: Session) -> None:
        store.add_record(ids[1], "g", InstrumentRecord(instrument="nrs", answers=[9]),
                         actor=Actor("t:bad", "clinician"))
        raise ValueError("unit fails after writing")

    fns = [
        _add(store, ids[0], "t:a", 1),
        bad,
        lambda _s: store.get_patient(ids[2], actor=Actor("t:read", "clinician")),
        lambda _s: store.add_record(
            ids[0], "nope", InstrumentRecord(instrument="nrs", answers=[3]),
            actor=Actor("t:missing", "clinician"),
        ),
        _add(store, ids[0], "t:b", 4),
    ]
    group, out = _gated_batch(store, fns)
    assert group.transactions == 1 and group.units == 5
    assert out[0] == 0 and out[4] == 1  # positions in the shared encounter, in order
    assert isinstance(out[1], ValueError) and str(out[1]) == "unit fails after writing"
    assert out[2].id == ids[2]
    assert isinstance(out[3], NotFound)
    assert store.count_records() == before + 2
    seen = _actors(store)
    assert seen["t:a"] == seen["t:b"] == seen["t:read"] == 1
    assert seen["t:bad"] == 0 and seen["t:missing"] == 0
    _chain_ok(store)


def test_a_failed_commit_reruns_each_unit_alone(sqlite_url: str) -> None:
    from painmap.store import open_store

    with open_store(sqlite_url, create=True) as store:
        ids = _seeded(store)

        def breaks_commit(s: Session) -> None:
            # a deferred foreign key violation is only detected at COMMIT: the whole
            # group transaction fails there
            s.connection().exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            s.add(EncounterRow(patient_id="no-such-patient", encounter_id="x",
                               date=date(2030, 1, 2)))
            audit.append(s, Actor("t:fk", "clinician"), "create", "encounter")

        group, out = _gated_batch(
            store, [_add(store, ids[0], "t:a", 1), breaks_commit, _add(store, ids[1], "t:b", 2)]
        )
        assert isinstance(out[1], IntegrityError)
        assert out[0] == 0 and out[2] == 0
        assert group.transactions == 2  # the group's failed; then a, b alone (fk failed)
        seen = _actors(store)
        assert seen["t:a"] == seen["t:b"] == 1 and seen["t:fk"] == 0
        assert store.count_encounters() == len(ids) * 1 + sum(
            len(p.encounters) for p in cohort(3, seed=41)
        )
        _chain_ok(store)


def test_a_unit_that_ends_the_transaction_gets_its_own_error(sqlite_url: str) -> None:
    from painmap.store import open_store

    with open_store(sqlite_url, create=True) as store:
        ids = _seeded(store)

        def ends_it(s: Session) -> None:
            audit.append(s, Actor("t:end", "clinician"), "read", "patient")
            s.connection().exec_driver_sql("ROLLBACK")
            raise RuntimeError("transaction ended by the unit")

        _, out = _gated_batch(
            store, [_add(store, ids[0], "t:a", 1), ends_it, _add(store, ids[1], "t:b", 2)]
        )
        assert isinstance(out[1], RuntimeError) and "ended by the unit" in str(out[1])
        assert out[0] == 0 and out[2] == 0
        seen = _actors(store)
        assert seen["t:a"] == seen["t:b"] == 1 and seen["t:end"] == 0
        _chain_ok(store)


def test_many_threads_every_unit_exactly_once(store: Store) -> None:
    ids = _seeded(store, 4)
    group = GroupCommit(store.engine)
    threads_n, per_thread = 12, 8
    errors: list[BaseException] = []
    results: dict[str, Any] = {}

    def worker(t: int) -> None:
        for i in range(per_thread):
            who = f"t{t}:{i}"
            pid = ids[(t + i) % len(ids)]
            try:
                if i % 4 == 3:  # a unit that fails
                    group.run(lambda _s, who=who, pid=pid: store.add_record(
                        pid, "missing", InstrumentRecord(instrument="nrs", answers=[1]),
                        actor=Actor(who, "clinician")))
                elif i % 2:
                    results[who] = group.run(
                        lambda _s, who=who, pid=pid: store.chart(pid, actor=Actor(who, "clinician"))
                    )
                else:
                    results[who] = group.run(_add(store, pid, who, i))
            except NotFound as exc:
                results[who] = exc
            except BaseException as exc:  # anything else is a failure of the test
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert group.units == threads_n * per_thread
    seen = _actors(store)
    for t in range(threads_n):
        for i in range(per_thread):
            who = f"t{t}:{i}"
            assert seen[who] == (0 if i % 4 == 3 else 1), who
            assert isinstance(results[who], NotFound) == (i % 4 == 3)
    _chain_ok(store)


def test_a_nested_unit_runs_in_the_same_transaction(store: Store) -> None:
    ids = _seeded(store, 1)
    group = GroupCommit(store.engine)

    def outer(_s: Session) -> int:
        with pytest.raises(NotFound):
            group.run(lambda _t: store.get_patient("nobody", actor=Actor("t:n", "clinician")))
        return group.run(_add(store, ids[0], "t:inner", 5))

    assert group.run(outer) == 0
    assert group.transactions == 1
    assert _actors(store)["t:inner"] == 1
    _chain_ok(store)


_REQUEST: ContextVar[str] = ContextVar("test_request", default="none")


def test_units_run_in_their_submitters_context(store: Store) -> None:
    gate = Gate()
    group = GroupCommit(store.engine, turn=gate)
    seen: dict[str, str] = {}

    def submit(name: str) -> None:
        _REQUEST.set(name)
        group.run(lambda _s: seen.__setitem__(name, _REQUEST.get()))

    threads = [threading.Thread(target=submit, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(group._pending) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.open.set()
    for t in threads:
        t.join(30)
    assert group.transactions == 1
    assert seen == {f"r{i}": f"r{i}" for i in range(4)}


def test_a_leader_that_cannot_take_the_turn_leaves_no_unit_behind(store: Store) -> None:
    ids = _seeded(store, 1)
    broken = True

    @contextmanager
    def turn() -> Iterator[None]:
        if broken:
            raise OSError("no writer turn")
        yield

    group = GroupCommit(store.engine, turn=turn)
    with pytest.raises(OSError):
        group.run(_add(store, ids[0], "t:lost", 1))
    broken = False
    assert group.run(_add(store, ids[0], "t:next", 2)) == 0
    seen = _actors(store)
    assert seen["t:lost"] == 0 and seen["t:next"] == 1
