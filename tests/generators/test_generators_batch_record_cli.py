"""Cohort ranking, evidence from the clinical record, and the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from generators_helpers import candidate, marks

from cli_helpers import run_captured as _run
from painmap.core.errors import ValidationFailure
from painmap.generators import (
    COLUMNS,
    compile_cohort,
    evidence_from_record,
    parse_evidence,
    posterior_matrix,
    rank,
    rank_batch,
)
from painmap.record.models import Patient

COHORT: list[dict[str, Any]] = [
    {"age": 54.4, "sex": "female", "pain_sides": ["left"],
     "findings": [{"item": "sij_provocation_cluster", "result": "positive", "side": "left"}]},
    {"age": 45, "sex": "male", "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L4-L5"},
        {"item": "centralization", "result": "positive"}]},
    {"age": 66, "sex": "female", "pain_sides": ["left"], "blocks": [
        {"type": "medial_branch", "levels": ["L4-L5"], "side": "left", "design": "single",
         "relief_percent": 80}]},
    {"age": 71, "sex": "male", "findings": [
        {"item": "drawing_midline_pain", "result": "absent"},
        {"item": "emg_fibrillations", "result": "positive", "root": "S1", "side": "right"}],
     "blocks": [{"type": "sij_intraarticular", "side": "right", "design": "single",
                 "relief_percent": 100}]},
    {"age": 30, "sex": "other", "drawing": marks("f_leg_lat_upper_r", "f_dorsum_r"),
     "instruments": {"csi": [3] * 25}},
    {"age": 50, "sex": "unknown"},
]


def test_batch_equals_single_patient_ranking() -> None:
    evidences = [parse_evidence(e) for e in COHORT]
    matrix = rank_batch(evidences)
    assert matrix.shape == (len(COHORT), len(COLUMNS))
    for row, ev in enumerate(evidences):
        result = rank(ev, with_interval=False, with_next=False)
        by_id = {c.id: c.posterior for c in result.candidates}
        for j, cid in enumerate(COLUMNS):
            assert matrix[row, j] == pytest.approx(by_id.get(cid, 0.0), abs=1e-9), cid


def test_batch_chunks_give_the_same_answer() -> None:
    cohort = compile_cohort(parse_evidence(e) for e in COHORT * 7)
    a = posterior_matrix(cohort, chunk=5)
    b = posterior_matrix(cohort)
    np.testing.assert_allclose(a, b)


def _patient() -> Patient:
    return Patient.model_validate({
        "id": "P001", "birth_year": 1970, "sex": "female",
        "encounters": [
            {"id": "E1", "date": "2025-03-01", "records": [
                {"kind": "pain_drawing", "marks": [
                    {"id": "b_buttock_l", "intensity": 6}, {"id": "f_groin_l", "intensity": 4},
                    {"id": "b_sij_l", "intensity": 7}]},
                {"kind": "exam", "test": "sij_provocation_cluster", "result": "positive",
                 "side": "left"},
                {"kind": "exam", "test": "hip_fadir", "result": "negative", "side": "left"},
                {"kind": "imaging", "modality": "mri", "finding": "disc_bulge",
                 "level": "L4-L5"},
                {"kind": "imaging", "modality": "ct", "finding": "facet_degeneration",
                 "level": "L4-L5"},
            ]},
            {"id": "E2", "date": "2025-06-01", "records": [
                {"kind": "block", "type": "sij_intraarticular", "side": "left",
                 "design": "comparative", "pre_pain": 8, "post_pain": 1,
                 "concordant_duration": True},
                {"kind": "electrodiagnostic", "test": "emg", "target": "tibialis_anterior",
                 "finding": "normal", "root": "L5", "side": "left"},
                {"kind": "instrument", "instrument": "csi", "answers": [1] * 25},
            ]},
        ],
    })


def test_evidence_from_record_per_encounter() -> None:
    patient = _patient()
    first = evidence_from_record(patient, encounter_id="E1")
    assert first.age == 2025 - 1970 - 1  # March: birthday (mid-year) not yet
    items = {f.item for f in first.findings}
    assert items == {"sij_provocation_cluster", "mri_disc_bulge"}
    assert first.blocks == [] and first.drawing is not None
    assert any("hip_fadir" in n for n in first.notes)
    assert any("ct" in n for n in first.notes)
    both = evidence_from_record(patient)
    assert len(both.blocks) == 1 and both.blocks[0].relief_percent == pytest.approx(87.5)
    assert both.instruments == {"csi": [1] * 25}
    assert any(f.item == "emg_fibrillations" and f.result == "negative" for f in both.findings)
    result = rank(both)
    assert result.top().id == "sij:left"
    until = evidence_from_record(patient, until=date(2025, 4, 1))
    assert until.blocks == []
    with pytest.raises(ValidationFailure) as exc:
        evidence_from_record(patient, encounter_id="E9")
    assert exc.value.allowed == ["E1", "E2"]
    with pytest.raises(ValidationFailure):
        evidence_from_record(patient, until=date(2020, 1, 1))



def test_cli_rank_explain_kb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ev.json"
    f.write_text(json.dumps(COHORT[0]))
    code, out, _ = _run(["generators", "rank", str(f)], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["candidates"][0]["id"] == "sij:left"
    assert data["candidates"][0]["posterior"] == pytest.approx(0.4838, abs=0.0005)
    assert {"flags", "next_tests", "candidates"} <= set(data)
    code, out, _ = _run(["generators", "explain", str(f)], capsys)
    assert code == 0 and "sij:left: 48.4%" in out and "[laslett2005]" in out
    assert "Laslett M, Aprill CN" in out
    code, out, _ = _run(["generators", "kb", "--json"], capsys)
    kb = json.loads(out)
    assert code == 0 and {i["id"] for i in kb["items"]} >= {"mri_modic1", "csi_high"}
    assert "laslett2005" in kb["citations"] and "structures" in kb["priors"]
    code, out, _ = _run(["generators", "kb"], capsys)
    assert code == 0 and "sij_provocation_cluster" in out


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"age": 50, "sex": "male", "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L7-S1"}]}))
    code, out, err = _run(["generators", "rank", str(f)], capsys)
    assert code == 1 and out == ""
    assert "findings[0].level" in err and "L4-L5" in err
    f.write_text("{not json")
    code, _, err = _run(["generators", "rank", str(f)], capsys)
    assert code == 1 and "not valid JSON" in err
    code, _, err = _run(["generators", "rank", str(tmp_path / "missing.json")], capsys)
    assert code == 1 and "cannot read" in err


def test_cli_rank_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "cohort.ndjson"
    lines = [json.dumps({"id": f"p{k}", **e}) for k, e in enumerate(COHORT)]
    f.write_text("\n".join(lines) + "\n")
    code, out, _ = _run(["generators", "rank-batch", str(f)], capsys)
    assert code == 0
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in rows] == [f"p{k}" for k in range(len(COHORT))]
    assert rows[0]["top"][0]["id"] == "sij:left"
    assert rows[1]["top"][0]["id"] == "disc:L4-L5"
    code, out, _ = _run(["generators", "rank-batch", str(f), "--full"], capsys)
    assert set(json.loads(out.splitlines()[0])["posteriors"]) == set(COLUMNS)
    # one bad line: nothing printed, the line is named
    f.write_text(lines[0] + "\n" + json.dumps({"age": 50, "sex": "male", "findings": [
        {"item": "nope", "result": "positive"}]}) + "\n")
    code, out, err = _run(["generators", "rank-batch", str(f)], capsys)
    assert code == 1 and out == "" and "line 2: findings[0].item" in err


def test_cli_rank_patient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from painmap.store import cli_actor, open_store

    url = f"sqlite:///{tmp_path / 'pm.sqlite'}"
    with open_store(url, create=True) as store:
        store.add_patients([_patient()], actor=cli_actor())
    code, out, _ = _run(["generators", "rank-patient", "P001", "--database", url], capsys)
    assert code == 0
    assert json.loads(out)["candidates"][0]["id"] == "sij:left"
    code, out, _ = _run(["generators", "rank-patient", "P001", "--database", url,
                         "--encounter", "E1", "--text"], capsys)
    assert code == 0 and "sij:left" in out
    code, _, err = _run(["generators", "rank-patient", "P999", "--database", url], capsys)
    assert code == 1
    code, _, err = _run(["generators", "rank-patient", "P001", "--database", url,
                         "--until", "June"], capsys)
    assert code == 1 and "--until" in err


def test_drawing_only_patient_ranks_without_error() -> None:
    result = rank(COHORT[4])
    assert candidate(result, "nociplastic").posterior > 0.05


def test_rank_record_as_of_a_treatment_date() -> None:
    from painmap.generators import rank_record

    patient = _patient()
    early = rank_record(patient, until=date(2025, 3, 15), with_interval=False)
    late = rank_record(patient, with_interval=False)
    assert early.top().id == late.top().id == "sij:left"
    assert late.top().posterior > early.top().posterior  # the comparative block adds


def test_cli_subprocess_reads_stdin_without_traceback() -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("painmap")
    ok = subprocess.run([str(exe), "generators", "rank", "-"], input=json.dumps(COHORT[1]),
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["candidates"][0]["id"] == "disc:L4-L5"
    bad = subprocess.run([str(exe), "generators", "explain", "-"],
                         input=json.dumps({"age": 40, "sex": "male", "findings": [
                             {"item": "slr", "result": "maybe"}]}),
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "findings[0].result" in bad.stderr and "positive" in bad.stderr


def test_record_adapter_skips_unusable_exam_records() -> None:
    patient = Patient.model_validate({
        "id": "P002", "birth_year": 1960, "sex": "male",
        "encounters": [{"id": "E1", "date": "2025-01-10", "records": [
            {"kind": "exam", "test": "drawing_unilateral_buttock_no_lumbar",
             "result": "negative"},
            {"kind": "exam", "test": "emg_fibrillations", "result": "positive"},
            {"kind": "exam", "test": "mri_modic1", "result": "present", "level": "T12-L1"},
            {"kind": "exam", "test": "slr", "result": "present", "side": "right"},
        ]}],
    })
    ev = evidence_from_record(patient)
    assert [(f.item, f.result) for f in ev.findings] == [("slr", "positive")]
    assert len(ev.notes) == 3
