"""FreeSurfer stats parser on the real bert files: FreeSurfer's own numbers, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from painmap.core.errors import ValidationFailure
from painmap.neuro.freesurfer import parse_stats, read_subject, roi_table


def _text_table(path: Path) -> tuple[dict[str, str], list[list[str]], list[str]]:
    """Read measures and rows straight from the text, independently of the parser."""
    measures: dict[str, str] = {}
    rows: list[list[str]] = []
    cols: list[str] = []
    for line in path.read_text().splitlines():
        if line.startswith("# Measure "):
            fields = [f.strip() for f in line[len("# Measure ") :].split(",")]
            measures[fields[1]] = fields[3]
        elif line.startswith("# ColHeaders"):
            cols = line.split()[2:]
        elif line.strip() and not line.startswith("#"):
            rows.append(line.split())
    return measures, rows, cols


def test_known_values_from_the_file_text(bert_dir: Path) -> None:
    s = read_subject(bert_dir)
    # values copied by hand from the text of bert/stats/*.stats
    assert s["aseg"]["measures"]["eTIV"] == 1520021.264474
    assert s["aseg"]["measures"]["BrainSegVol"] == 1218061.000000
    assert s["aseg"]["measures"]["SurfaceHoles"] == 29
    assert s["aseg"]["structures"]["Left-Thalamus"] == {"volume_mm3": 8066.3}
    assert s["aseg"]["structures"]["Right-Accumbens-area"] == {"volume_mm3": 636.7}
    assert s["aparc"]["lh"]["measures"]["MeanThickness"] == 2.60273
    assert s["aparc"]["lh"]["measures"]["NumVert"] == 125558
    assert s["aparc"]["lh"]["structures"]["caudalmiddlefrontal"] == {
        "thickness_mm": 2.776,
        "thickness_std_mm": 0.507,
        "surface_area_mm2": 1858,
        "gray_volume_mm3": 5752,
    }
    assert len(s["aseg"]["structures"]) == 45
    assert len(s["aparc"]["lh"]["structures"]) == 34
    assert len(s["aparc"]["rh"]["structures"]) == 34


@pytest.mark.parametrize("name", ["aseg.stats", "lh.aparc.stats", "rh.aparc.stats"])
def test_every_number_equals_the_text(bert_dir: Path, name: str) -> None:
    path = bert_dir / "stats" / name
    measures, rows, cols = _text_table(path)
    parsed = parse_stats(path.read_text(), name)
    assert parsed.columns == cols
    assert {k: str(v) for k, v in parsed.measures.items()}.keys() == measures.keys()
    for key, text in measures.items():
        assert parsed.measures[key] == float(text)
        # printing the value in JSON gives FreeSurfer's number back
        assert float(json.dumps(parsed.measures[key])) == float(text)
    assert len(parsed.rows) == len(rows)
    for row, cells in zip(parsed.rows, rows, strict=True):
        for col, cell in zip(cols, cells, strict=True):
            if col == "StructName":
                assert row[col] == cell
            else:
                assert row[col] == float(cell)
                assert float(json.dumps(row[col])) == float(cell)


def test_json_shape_matches_the_issue(bert_dir: Path) -> None:
    s = read_subject(bert_dir)
    assert set(s) == {"aseg", "aparc"}
    assert set(s["aseg"]) == {"measures", "structures"}
    assert all(set(v) == {"volume_mm3"} for v in s["aseg"]["structures"].values())
    assert set(s["aparc"]) == {"lh", "rh"}
    for hemi in ("lh", "rh"):
        assert set(s["aparc"][hemi]) == {"measures", "structures"}
        for v in s["aparc"][hemi]["structures"].values():
            assert set(v) == {
                "thickness_mm",
                "thickness_std_mm",
                "surface_area_mm2",
                "gray_volume_mm3",
            }


def test_stats_folder_itself_is_accepted(bert_dir: Path) -> None:
    assert read_subject(bert_dir / "stats") == read_subject(bert_dir)


def test_roi_mapping_on_bert(bert_dir: Path) -> None:
    t = roi_table(read_subject(bert_dir))
    # lh rostral (ThickAvg 2.508, SurfArea 5909) and caudal (2.776, 1858) middle frontal
    expected = (2.508 * 5909 + 2.776 * 1858) / (5909 + 1858)
    lh = read_subject(bert_dir)["aparc"]["lh"]["structures"]
    rmf = lh["rostralmiddlefrontal"]
    assert (rmf["thickness_mm"], rmf["surface_area_mm2"]) == (2.508, 5909)
    assert t["dlpfc_left"]["thickness_mm"] == pytest.approx(expected, rel=1e-12)
    assert t["dlpfc_left"]["gray_volume_mm3"] == rmf["gray_volume_mm3"] + 5752
    assert t["thalamus_left"] == {
        "thickness_mm": None,
        "surface_area_mm2": None,
        "gray_volume_mm3": 8066.3,
    }
    assert t["nacc_left"]["gray_volume_mm3"] == 508.0
    assert t["insula_right"]["thickness_mm"] == 3.119


def test_malformed_files_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailure, match="row has 2 fields"):
        parse_stats("# ColHeaders StructName NumVert SurfArea\nfoo 1\n", "x.stats")
    with pytest.raises(ValidationFailure, match="before the '# ColHeaders'"):
        parse_stats("foo 1 2\n", "x.stats")
    with pytest.raises(ValidationFailure, match="not a number"):
        parse_stats("# ColHeaders StructName NumVert\nfoo one\n", "x.stats")
    with pytest.raises(ValidationFailure, match=r"aseg\.stats not found"):
        read_subject(tmp_path)
