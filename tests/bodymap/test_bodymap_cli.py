"""The ``painmap bodymap`` commands, run through ``painmap.cli.main``."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from painmap.cli import main
from painmap.record.models import Encounter, PainDrawingRecord, Patient


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


DRAWING = {"kind": "pain_drawing", "marks": [
    {"id": "f_leg_lat_upper_l", "intensity": 6, "qualities": ["burning"]},
    {"id": "f_dorsum_l", "intensity": 5}]}


def _write(tmp_path: Path, name: str, obj: object) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(obj))
    return str(p)


def test_regions_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bodymap", "regions", "--json")
    assert code == 0
    doc = json.loads(out)
    assert len(doc["regions"]) >= 150
    first = doc["regions"][0]
    for key in ("id", "view", "side", "label", "area_fraction", "wpi19", "below_knee",
                "low_back", "dermatomes"):
        assert key in first
    assert "Murphy" in doc["meta"]["dermatomes"]["non_dermatomal"]
    code, out, _ = run(capsys, "bodymap", "regions", "--view", "back")
    assert code == 0 and "b_lumbar_l4" in out
    code, _, err = run(capsys, "bodymap", "regions", "--view", "side")
    assert code == 1 and "front, back" in err


def test_metrics_file_and_stdin(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "d.json", DRAWING)
    code, out, _ = run(capsys, "bodymap", "metrics", path)
    m = json.loads(out)
    assert code == 0 and m["quebec"] == 3 and m["dermatomes"][0]["root"] == "L5"
    for key in ("extent_fraction", "region_count", "wpi", "wpi_regions_generalized",
                "laterality", "max_intensity", "intensity_weighted_extent"):
        assert key in m
    code, out, _ = run(capsys, "bodymap", "metrics", "-", "--features",
                       stdin=json.dumps(DRAWING), monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out)["features"]["below_knee_sides"] == ["left"]


@pytest.mark.parametrize(("obj", "field"), [
    ({"marks": [{"id": "f_dorsum_l", "intensity": 5}, {"id": "nope", "intensity": 5}]},
     "marks[1].id"),
    ({"marks": [{"id": "f_dorsum_l", "intensity": 12}]}, "marks.0.intensity"),
    ({"marks": [{"id": "f_dorsum_l", "intensity": 2, "qualities": ["itchy"]}]},
     "marks.0.qualities.0"),
    ({"strokes": [{"view": "back", "points": [[1, 1], [2, 1001]], "width": 4,
                   "intensity": 2}]}, "strokes[0].points[1]"),
])
def test_invalid_drawings_fail_with_the_mark_named(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, obj: object,
                                                   field: str) -> None:
    code, _, err = run(capsys, "bodymap", "metrics", _write(tmp_path, "bad.json", obj))
    assert code == 1 and field in err


def test_bad_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "bodymap", "metrics", str(tmp_path / "missing.json"))
    assert code == 1 and "no such file" in err
    p = tmp_path / "x.json"
    p.write_text("{not json")
    code, _, err = run(capsys, "bodymap", "metrics", str(p))
    assert code == 1 and "not valid JSON" in err


def test_compare(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a = _write(tmp_path, "a.json", {"marks": [{"id": "b_lumbar_l5_mid", "intensity": 5},
                                              {"id": "b_calf_upper_r", "intensity": 6}]})
    b = _write(tmp_path, "b.json", {"marks": [{"id": "b_lumbar_l5_mid", "intensity": 4}]})
    code, out, _ = run(capsys, "bodymap", "compare", a, b)
    c = json.loads(out)
    assert code == 0 and c["direction"] == "centralised" and 0 < c["jaccard"] < 1


def test_render_svg_and_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path, "d.json", DRAWING)
    code, _, _ = run(capsys, "bodymap", "render", path, "-o", str(tmp_path / "d.svg"))
    assert code == 0 and "<title>" in (tmp_path / "d.svg").read_text()
    code, _, _ = run(capsys, "bodymap", "render", path, "-o", str(tmp_path / "d.png"))
    assert code == 0 and (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    code, _, err = run(capsys, "bodymap", "render", path, "-o", str(tmp_path / "d.gif"))
    assert code == 1 and ".png" in err and not (tmp_path / "d.gif").exists()


def _patients() -> str:
    lines = []
    for i, (sex, ids) in enumerate([("female", ["b_heel_l"]), ("male", ["b_lumbar_l4_mid"]),
                                    ("female", ["f_groin_r", "b_sij_r"])]):
        rec = PainDrawingRecord(marks=[{"id": r, "intensity": 5} for r in ids])  # type: ignore[misc]
        later = PainDrawingRecord(marks=[{"id": "f_shoulder_l", "intensity": 2}])  # type: ignore[list-item]
        p = Patient(id=f"p{i}", birth_year=1970, sex=sex, encounters=[
            Encounter(id="e1", date=date(2026, 1, 5), records=[rec]),
            Encounter(id="e2", date=date(2026, 4, 5), records=[later])])
        lines.append(p.model_dump_json())
    return "\n".join(lines) + "\n"


def test_heatmap_from_patients_by_sex(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    src = tmp_path / "cohort.ndjson"
    src.write_text(_patients())
    out = tmp_path / "h.png"
    code, o, _ = run(capsys, "bodymap", "heatmap", str(src), "-o", str(out), "--by", "sex")
    assert code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    assert "3 drawings, 2 group(s)" in o
    code, o, _ = run(capsys, "bodymap", "heatmap", str(src), "-o", str(tmp_path / "h.svg"),
                     "--encounter", "all")
    assert code == 0 and "6 drawings" in o
    code, _, err = run(capsys, "bodymap", "heatmap", str(src), "-o", str(out), "--by", "zzz")
    assert code == 1 and "zzz" in err


def test_heatmap_from_bare_drawings(capsys: pytest.CaptureFixture[str],
                                   tmp_path: Path) -> None:
    src = tmp_path / "drawings.ndjson"
    src.write_text(json.dumps(DRAWING) + "\n\n" + json.dumps({"marks": []}) + "\n")
    code, o, _ = run(capsys, "bodymap", "heatmap", str(src), "-o", str(tmp_path / "h.png"))
    assert code == 0 and "2 drawings" in o
    src.write_text(json.dumps({"marks": [{"id": "zz", "intensity": 1}]}) + "\n")
    code, _, err = run(capsys, "bodymap", "heatmap", str(src), "-o", str(tmp_path / "h.png"))
    assert code == 1 and "line 1: marks[0].id" in err
