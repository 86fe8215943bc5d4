"""``painmap score``, ``painmap change`` and ``painmap instruments``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import run_captured as _run

PAINMAP = Path(sys.executable).with_name("painmap")



def test_score_prints_issue_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["score", "odi", "--answers", "[1,2,3,4,5,0,1,2,3,null]"], capsys)
    assert code == 0
    data = json.loads(out)
    assert {"instrument", "score", "max", "subscales", "category", "complete",
            "answered"} <= set(data)
    assert data["score"] == pytest.approx(21 / 45 * 100) and data["category"] == "severe"
    assert data["complete"] is False and data["answered"] == 9


def test_score_max_missing(capsys: pytest.CaptureFixture[str]) -> None:
    answers = "[1,2,3,4,5,0,1,2,null,null]"
    _, out, _ = _run(["score", "odi", "--answers", answers], capsys)
    assert json.loads(out)["score"] is None
    _, out, _ = _run(["score", "odi", "--answers", answers, "--max-missing", "2"], capsys)
    assert json.loads(out)["score"] == pytest.approx(18 / 40 * 100)


def test_score_structured_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = {"sensory": [3, 3, 3, 3, 3, 0, 0], "course": "attacks_pain_between",
               "radiating": True}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    code, out, _ = _run(["score", "paindetect", "--answers", f"@{path}"], capsys)
    assert code == 0 and json.loads(out)["score"] == 18
    _, out, _ = _run(["score", "nrs", "--answers", "7"], capsys)
    assert json.loads(out)["category"] == "severe"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["score", "odi", "--answers", "[1,2,3,4,5,6,1,2,3,4]"], ["answers[5]", "odi_6", "0..5"]),
        (["score", "odi", "--answers", "[1,2,3]"], ["answers", "10 values"]),
        (["score", "oswestry", "--answers", "[1]"], ["instrument", "odi", "startback"]),
        (["score", "startback", "--answers", "[0,0,0,0,0,0,0,0,9]"],
         ["answers[8]", "startback_9", "0..4"]),
        (["score", "paindetect", "--answers", '{"sensory":[0,0,0,0,0,0,0],"course":"x"}'],
         ["answers.course", "persistent_with_attacks"]),
        (["score", "odi", "--answers", "[1,2"], ["--answers", "not valid JSON"]),
        (["score", "odi", "--answers", "@/nonexistent/a.json"], ["--answers", "cannot read"]),
        (["score", "startback", "--answers", "[0,0,0,0,0,0,0,0,0]", "--max-missing", "1"],
         ["max_missing", "allowed: 0"]),
        (["change", "nrs", "--baseline", "12", "--followup", "3"], ["baseline", "0..10"]),
        (["change", "vas", "--baseline", "5", "--followup", "3"], ["instrument"]),
        (["instruments", "show", "nope"], ["instrument"]),
    ],
)
def test_bad_input_exits_nonzero_without_traceback(
    args: list[str], needles: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(args, capsys)
    assert code != 0
    for needle in needles:
        assert needle in err
    assert out == ""


def test_change(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["change", "nrs", "--baseline", "8", "--followup", "4"], capsys)
    data = json.loads(out)
    assert code == 0 and data["meaningful"] is True and data["level"] == "substantial"
    assert data["percent_change"] == -50.0 and data["absolute_change"] == -4.0
    assert all(r["citations"] for r in data["rules"])
    _, out, _ = _run(["change", "odi", "--baseline", "0", "--followup", "0"], capsys)
    assert json.loads(out)["percent_change"] is None


def test_instruments_list_show_fhir(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["instruments", "list", "--json"], capsys)
    assert code == 0 and len(json.loads(out)) == 10
    code, out, _ = _run(["instruments", "show", "pcs"], capsys)
    assert code == 0 and "rumination" in out and "Mapi" in out
    code, out, _ = _run(["instruments", "show", "odi", "--json"], capsys)
    assert json.loads(out)["loinc"]["score"] == "97909-6"
    code, out, _ = _run(["instruments", "fhir", "odi"], capsys)
    data = json.loads(out)
    assert data["resourceType"] == "Questionnaire" and len(data["item"]) == 10


def test_stdin_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps([2] * 13)))
    code, out, _ = _run(["score", "pcs", "--answers", "-"], capsys)
    assert code == 0 and json.loads(out)["score"] == 26


@pytest.mark.skipif(not PAINMAP.exists(), reason="console script not installed")
def test_console_script_bad_stdin_exits_1_without_traceback() -> None:
    bad = subprocess.run(
        [str(PAINMAP), "score", "pcs", "--answers", "-"],
        input="[5]", capture_output=True, text=True, timeout=120, check=False,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "answers" in bad.stderr


def test_score_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, header, _ = _run(["instruments", "columns", "startback"], capsys)
    assert code == 0
    src = tmp_path / "cohort.csv"
    src.write_text(header + "1,1,1,1,1,1,1,1,4\n0,0,0,0,0,0,0,0,0\n1,,1,1,1,1,1,1,4\n",
                   encoding="utf-8")
    out = tmp_path / "scores.csv"
    code, _, err = _run(["instruments", "score-file", "startback", str(src), "-o", str(out)],
                        capsys)
    assert code == 0 and "3 responses" in err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,score,answered,complete,category,psychosocial"
    assert lines[1:] == ["1,9,9,true,high,5", "2,0,9,true,low,0", "3,,8,false,,"]
    code, printed, _ = _run(["instruments", "score-file", "startback", str(src)], capsys)
    assert printed.splitlines() == lines


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("a,b\n1,2\n", "header"),
        ("{header}1,1\n", "line 2"),
        ("{header}1,1,1,1,1,1,1,1,x\n", "column 9"),
        ("{header}1,1,1,1,1,1,1,1,7\n", "answers[0, 8]"),
    ],
)
def test_score_file_bad_input(tmp_path: Path, content: str, needle: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    header = ",".join(f"startback_{i}" for i in range(1, 10)) + "\n"
    src = tmp_path / "bad.csv"
    src.write_text(content.format(header=header), encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = _run(["instruments", "score-file", "startback", str(src), "-o", str(out)],
                        capsys)
    assert code == 1 and needle in err
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
