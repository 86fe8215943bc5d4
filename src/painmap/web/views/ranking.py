"""The pain-generator ranking as the patient page and the API show it."""

from __future__ import annotations

from datetime import date
from typing import Any

from painmap.generators import evidence_from_record, load_kb, rank
from painmap.record.models import Patient
from painmap.web.views.spine import spine_svg

#: Asymptomatic prevalence from which a finding is flagged "common in pain-free people".
COMMON_PREVALENCE = 0.3

STRUCTURE_NAMES = {
    "disc": "Disc",
    "facet": "Facet joint",
    "root": "Nerve root",
    "sij": "Sacroiliac joint",
    "myofascial": "Myofascial",
    "nociplastic": "Nociplastic pain",
    "hip": "Hip",
    "other": "Other / not listed",
}


def candidate_label(structure: str, level: str | None, root: str | None, side: str | None) -> str:
    """Readable name of a candidate, e.g. ``Facet joint L4-L5 right``."""
    parts = [STRUCTURE_NAMES.get(structure, structure)]
    if root:
        parts.append(root)
    elif level:
        parts.append(level)
    if side:
        parts.append(side)
    return " ".join(parts)


def _root_level(root: str) -> str | None:
    """The level whose foramen a lumbar root exits (L5 root at L5-S1)."""
    order = ["L1", "L2", "L3", "L4", "L5", "S1"]
    if root not in order[:-1]:
        return None
    nxt = order[order.index(root) + 1]
    return f"{root}-{nxt}"


def ranking_view(
    patient: Patient, *, today: date, with_interval: bool = False
) -> dict[str, Any]:
    """Ranked candidates with contributions and citations, spine diagram, flags, next tests.

    Parameters
    ----------
    patient : Patient
        The whole record; evidence is taken up to ``today``.
    today : datetime.date
        Date of the ranking.
    with_interval : bool, optional
        Add Monte Carlo intervals (slower; the API asks for them).

    Returns
    -------
    dict
        ``available``, ``candidates`` (label, posterior, prior, interval, contributions
        with evidence, LR and citations), ``spine_svg``, ``imaging_flags`` (finding ->
        asymptomatic prevalence, whether it is common, text, citations), ``flags``,
        ``next_tests`` and ``notes``.
    """
    references = load_kb().citations
    evidence = evidence_from_record(patient, until=today)
    result = rank(evidence, with_interval=with_interval, with_next=True)
    candidates = []
    posteriors: dict[tuple[str, str, str | None], float] = {}
    for c in result.candidates:
        contributions = [
            {
                "evidence": k.evidence.replace("_", " "),
                "lr": f"{10 ** k.log10_lr:.2f}" if k.counted else "not counted",
                "citations": [
                    {"key": key, "text": references.get(key, key)} for key in k.citations
                ],
                "verified": k.verified,
            }
            for k in c.contributions
        ]
        candidates.append(
            {
                "id": c.id,
                "label": candidate_label(c.structure, c.level, c.root, c.side),
                "prior": c.prior,
                "posterior": c.posterior,
                "interval": list(c.interval),
                "contributions": contributions,
            }
        )
        level = c.level or (_root_level(c.root) if c.root else None)
        if c.structure in ("disc", "facet", "root") and level:
            side = None if c.structure == "disc" else c.side
            key = (c.structure, level, side)
            posteriors[key] = max(posteriors.get(key, 0.0), c.posterior)
    imaging_flags: dict[str, dict[str, Any]] = {}
    for f in result.flags:
        prev = f.get("asymptomatic_prevalence")
        finding = f.get("finding")
        if isinstance(finding, str) and isinstance(prev, int | float):
            age = f.get("age")
            age_text = f" aged {age:.0f}" if isinstance(age, int | float) else ""
            imaging_flags[finding] = {
                "prevalence": prev,
                "common": prev >= COMMON_PREVALENCE,
                "text": f"found in {prev:.0%} of pain-free people{age_text}",
                "citations": f.get("citations", []),
            }
    seen: set[str] = set()
    next_tests = []
    for t in result.next_tests:
        name = str(t.get("name") or t.get("item"))
        where = " ".join(str(t[k]) for k in ("level", "root", "side") if t.get(k))
        test_id = f"{name} {where}".strip()
        if name in seen:
            continue
        seen.add(name)
        gain = t.get("expected_information_gain_bits")
        why = f"at {where}; " if where else ""
        why += f"expected information {gain:.2f} bits" if isinstance(gain, int | float) else ""
        next_tests.append({"name": name, "why": why, "id": test_id})
        if len(next_tests) >= 5:
            break
    return {
        "available": True,
        "kb_version": result.kb_version,
        "method": result.method,
        "candidates": candidates,
        "spine_svg": spine_svg(posteriors),
        "imaging_flags": imaging_flags,
        "flags": result.flags,
        "next_tests": next_tests,
        "notes": result.notes,
    }
