"""One phrase for how long a response lasted, shared by the CLI, the PDF and the web page."""

from __future__ import annotations

from painmap.demo import generate_cohort
from painmap.outcomes import patient_outcomes


def test_durability_text_follows_the_episode_fields() -> None:
    seen = set()
    for patient in generate_cohort(12, seed=5):
        for eo in patient_outcomes(patient, rank=False).episodes:
            text = eo.durability_text()
            if eo.responded is None:
                assert text.startswith("response not assessable")
            elif not eo.responded:
                assert text.startswith("no meaningful pain response")
            elif eo.response_lost_day is not None:
                assert text == f"pain response lost by day {eo.response_lost_day:.0f}"
            else:
                assert text == (
                    f"pain response ongoing (last seen day {eo.response_censored_day:.0f})"
                )
            seen.add(text.split(" ")[0])
    assert len(seen) >= 2, "the cohort should show more than one kind of outcome"
