"""The bulk audit path hashes and stores exactly what the one-row path would."""

from __future__ import annotations

import hashlib
import random
from datetime import date
from pathlib import Path
from typing import Any

from painmap.store import Actor, open_store
from painmap.store.audit import (
    _ROW_COLUMNS,
    GENESIS,
    _canonical_text,
    append,
    append_many,
    chain_hashes,
    verify_chain,
)

WEIRD = [None, "P1", "ü-ids", 'q"uote', "line\nbreak", "\U0001f600", ""]


def _detail(rng: random.Random, storable: bool = False) -> Any:
    options: list[Any] = [
        None,
        {"encounters": rng.randint(0, 9), "records": rng.randint(0, 99)},
        {"z": [1, 2.5, None], "a": {"y": "é", "b": True}},
    ]
    if not storable:
        options.append({"when": date(2024, 2, 29)})  # hashed as str(); not storable JSON
    return rng.choice(options)


def test_chain_hashes_equal_row_by_row_hashing() -> None:
    rng = random.Random(1)
    items = [(rng.choice(WEIRD), rng.choice(WEIRD), _detail(rng)) for _ in range(300)]
    at = "2026-11-24T00:00:00.123456+00:00"
    args = ("someone", "clinician", "import", "patient")
    prev, expected = GENESIS, []
    for entity_id, patient_id, detail in items:
        text = _canonical_text(at, *args[:2], *args[2:], entity_id, patient_id, detail, prev)
        prev = hashlib.sha256(text).hexdigest()
        expected.append(prev)
    assert chain_hashes(at, *args, items, GENESIS) == expected


def test_bulk_rows_equal_single_rows_and_verify(tmp_path: Path) -> None:
    assert _ROW_COLUMNS[:8] == (
        "at", "actor", "role", "action", "entity", "entity_id", "patient_id", "detail",
    )
    rng = random.Random(2)
    items = [(rng.choice(WEIRD), rng.choice(WEIRD), _detail(rng, True)) for _ in range(50)]
    actor = Actor("bulk", "admin")
    stored = []
    for name, bulk in (("one", False), ("many", True)):
        with open_store(f"sqlite:///{tmp_path / name}.db", create=True) as store:
            with store.session() as session:
                if bulk:
                    append_many(session, actor, "import", "patient", items)
                else:
                    for entity_id, patient_id, detail in items:
                        append(session, actor, "import", "patient", entity_id=entity_id,
                               patient_id=patient_id, detail=detail)
            with store.session() as session:
                assert verify_chain(session).ok
                assert verify_chain(session).rows == len(items)
            with store.engine.connect() as conn:
                stored.append(
                    conn.exec_driver_sql(
                        "SELECT actor, role, action, entity, entity_id, patient_id, detail "
                        "FROM audit_log ORDER BY id"
                    ).all()
                )
    assert stored[0] == stored[1]
