"""The PDF report names changed body regions by their chart labels, not by their ids."""

from __future__ import annotations

from painmap.bodymap import region
from painmap.report.patient_pdf import region_lines


def test_region_lines_use_labels_and_count_the_rest() -> None:
    ids = ["b_buttock_l", "b_heel_l", "f_dorsum_l", "b_lumbar_l4_para_l", "b_scapular_r",
           "b_trapezius_r", "b_ankle_med_r", "b_interscapular_l"]
    lines = region_lines("newly painful", ids, limit=6, width=80)
    text = " ".join(line.strip() for line in lines)
    assert text.startswith("newly painful: Left buttock (gluteal) (back); Left heel (back)")
    for rid in ids[:6]:
        assert region(rid).label.split()[-1] in text
        assert rid not in text
    assert region(ids[6]).label not in text
    assert text.endswith("and 2 more")
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].startswith("  newly painful") and all(x.startswith("    ") for x in lines[1:])


def test_region_lines_empty_and_short() -> None:
    assert region_lines("no longer painful", []) == []
    assert region_lines("no longer painful", ["b_heel_l"]) == [
        "  no longer painful: Left heel (back)"
    ]
