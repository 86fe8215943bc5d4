"""IASP guard: painmap.neuro never labels an individual's pain from a scan.

Davis et al. (2017, IASP presidential task force) concluded that brain imaging must
not be used as a "pain detector" for an individual: not to support or dispute a claim
of pain, not as legal evidence, not as a replacement for self-report. painmap.neuro
therefore only reports group-level research statistics. This module holds the
forbidden output names and phrases, the statement every report carries, and a check
that writers run before writing a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from painmap.core.errors import PainmapError

#: Column, field or measure names that would label an individual's pain.
FORBIDDEN_NAMES: tuple[str, ...] = (
    "objective_pain",
    "pain_detected",
    "pain_detector",
    "has_pain",
    "pain_label",
    "pain_class",
    "pain_classification",
    "predicted_pain",
    "pain_prediction",
    "pain_probability",
    "pain_score_predicted",
    "malingering",
    "malingerer",
    "is_chronic_pain",
    "chronic_pain_predicted",
    "pain_biomarker_positive",
)
#: Phrases that must not appear in any output text (case-insensitive).
FORBIDDEN_PHRASES: tuple[str, ...] = (
    "objective pain",
    "objective measure of pain",
    "pain detector",
    "lie detector",
    "proves pain",
    "proof of pain",
    "is malingering",
    "predicted pain",
    "pain classification",
    "classified as in pain",
)

STATEMENT = (
    "These are group-level research findings about brain measures in a cohort. They "
    "do not diagnose, detect, verify or classify any individual's pain, and must not be "
    "used as evidence for or against a person's report of pain (IASP presidential task "
    "force, Davis et al. 2017, Nat Rev Neurol 13:624-638). Self-report remains the "
    "primary measure of pain."
)


class IndividualPainLabelError(PainmapError):
    """An output would carry a per-individual pain label."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def forbidden_in(names: Iterable[str]) -> list[str]:
    """Return the names that match a forbidden output name.

    Parameters
    ----------
    names : iterable of str
        Column, field or measure names.

    Returns
    -------
    list of str
    """
    bad = []
    for name in names:
        n = _norm(name)
        if any(f in n for f in FORBIDDEN_NAMES):
            bad.append(name)
    return bad


def forbidden_phrases_in(text: str) -> list[str]:
    """Return the forbidden phrases found in ``text`` (case-insensitive)."""
    low = " ".join(text.lower().split())
    return [p for p in FORBIDDEN_PHRASES if p in low]


def check_columns(*groups: Iterable[str]) -> None:
    """Raise :class:`IndividualPainLabelError` if any name is forbidden.

    Parameters
    ----------
    *groups : iterable of str
        Column names, measure names...
    """
    bad = [b for g in groups for b in forbidden_in(g)]
    if bad:
        raise IndividualPainLabelError(
            f"refusing to write per-individual pain labels {sorted(set(bad))}: imaging is "
            "not a pain detector (IASP, Davis et al. 2017)"
        )
