"""Rank the likely pain generators of one patient, with auditable arithmetic.

Model in one paragraph: every candidate (a structure at a level/root/side) is a
separate yes/no hypothesis "this structure is a source of the patient's pain". Its
prior comes from published prevalences by age; each counted piece of evidence
multiplies its odds by a published likelihood ratio; so, for every candidate,
``posterior odds = prior odds × 10^(Σ log10 LR)`` exactly as printed. Candidates are
**not** normalised to sum to 1 (a patient may have two generators); the explicit
other/unknown mass is reported beside them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from painmap.generators.candidates import CANDIDATES, OTHER_ID, SIDES
from painmap.generators.compile import Compiled, compile_evidence
from painmap.generators.concordance import imaging_flags
from painmap.generators.evidence import Evidence, parse_evidence
from painmap.generators.inference import log10_odds, other_log10_lr, probability, update
from painmap.generators.knowledge import citations, item_index, load_kb
from painmap.generators.next_test import next_tests
from painmap.generators.priors import other_prior, prior_vector
from painmap.generators.record_adapter import evidence_from_record
from painmap.generators.uncertainty import N_DRAWS, evidence_arrays, intervals
from painmap.record.models import Patient

_OUT = ConfigDict(extra="forbid", frozen=True)
OTHER_EVIDENCE = "change in the probability that none of the ranked structures is a source"
METHOD = (
    "Independent odds-form Bayesian updating per candidate: posterior odds = prior odds x "
    "10^(sum of counted log10 LRs). Candidates are not mutually exclusive and are not "
    "normalised; 'other' is the explicit other/unknown mass. Conditional independence of "
    "counted evidence is assumed; clusters count as one test; items measuring the same "
    "thing share a group and count once; a finding that cannot tell k locations of a "
    "structure apart is applied once to the structure (its LR spread over the k "
    "locations); a single block can never raise a candidate above "
    "its published single-block PPV or 0.5."
)


class ContributionOut(BaseModel):
    """One piece of evidence as it applies to one candidate."""

    model_config = _OUT

    evidence: str
    item: str
    result: str
    source: str
    log10_lr: float
    counted: bool
    reason: str | None = None
    uncapped_log10_lr: float | None = None
    published_log10_lr: float | None = None
    spread_over: int | None = None
    ci_source: str | None = None
    verified: bool
    citations: list[str]


class CandidateOut(BaseModel):
    """A ranked candidate with its arithmetic."""

    model_config = _OUT

    id: str
    structure: str
    level: str | None = None
    root: str | None = None
    side: str | None = None
    prior: float
    posterior: float
    interval: tuple[float, float]
    log10_prior_odds: float
    log10_posterior_odds: float
    contributions: list[ContributionOut]


class RankResult(BaseModel):
    """The full ranking of one patient."""

    model_config = _OUT

    kb_version: str
    method: str
    age: float
    candidate_sides: list[str]
    candidates: list[CandidateOut]
    flags: list[dict[str, Any]]
    next_tests: list[dict[str, Any]]
    notes: list[str]
    monte_carlo_draws: int
    structures: list[dict[str, Any]] = []

    def top(self) -> CandidateOut:
        """The highest-ranked candidate that is not other/unknown."""
        return next(c for c in self.candidates if c.id != OTHER_ID)


def _round(x: float, nd: int = 6) -> float:
    return round(x, nd)


_M = TypeVar("_M", bound=BaseModel)


def _construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """``cls.model_construct(**values)`` for trusted values naming every field.

    The same instance ``model_construct`` builds (every field given, so every field is
    in the fields set), without its per-field alias and default lookups: the ranking
    builds dozens of these per patient.
    """
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def rank_compiled(
    compiled: Compiled, *, with_interval: bool = True, with_next: bool = True
) -> RankResult:
    """Rank from compiled evidence (see :func:`rank`)."""
    prior = prior_vector(compiled.age, compiled.side_mask)
    other_sum, single_sum, ceiling = evidence_arrays(compiled)
    posterior, applied_single = update(prior, other_sum, single_sum, ceiling)
    o_prior = other_prior()
    o_lr = float(other_log10_lr(prior, posterior))
    o_post = float(probability(log10_odds(o_prior) + o_lr))
    if with_interval:
        cand_iv, other_iv = intervals(compiled)
    else:
        cand_iv = np.stack([posterior, posterior], axis=1)
        other_iv = np.array([o_post, o_post])

    applied_list: list[float] = applied_single.tolist()
    single_list: list[float] = single_sum.tolist()
    prior_list: list[float] = prior.tolist()
    iv_list: list[list[float]] = np.asarray(cand_iv).tolist()
    per_cand: dict[int, list[ContributionOut]] = {}
    made: dict[tuple[Any, ...], ContributionOut] = {}
    single_seen: set[int] = set()
    for c in compiled.contributions:
        obs = compiled.observations[c.observation]
        value = obs.log10_lr if c.counted else 0.0
        uncapped = None
        if c.counted and obs.single_ceiling is not None and c.candidate not in single_seen:
            single_seen.add(c.candidate)
            if applied_list[c.candidate] != single_list[c.candidate]:
                uncapped, value = obs.log10_lr, applied_list[c.candidate]
        if prior_list[c.candidate] <= 0:
            continue
        # identical contributions (one finding applied to several candidates) are
        # shared: the models are frozen
        key = (c.observation, c.counted, c.reason, value, uncapped)
        shared = made.get(key)
        if shared is not None:
            per_cand.setdefault(c.candidate, []).append(shared)
            continue
        spread = c.counted and obs.published_log10_lr is not None
        reason = c.reason
        if c.counted:
            parts = []
            if spread:
                parts.append(
                    f"published LR {10 ** (obs.published_log10_lr or 0.0):.2f} spread over "
                    f"{obs.spread_k} locations it cannot tell apart: counted once for the "
                    f"{CANDIDATES[c.candidate].structure}"
                )
            if uncapped is not None:
                parts.append("single block capped: a single block never confirms on its own")
            reason = "; ".join(parts) or None
        made[key] = _construct(
            ContributionOut,
            {
                "evidence": obs.label,
                "item": obs.item,
                "result": obs.result,
                "source": obs.source,
                "log10_lr": round(value, 9),
                "counted": c.counted,
                "reason": reason,
                "uncapped_log10_lr": None if uncapped is None else round(uncapped, 9),
                "published_log10_lr": (
                    round(obs.published_log10_lr, 9)
                    if spread and obs.published_log10_lr is not None
                    else None
                ),
                "spread_over": obs.spread_k if spread else None,
                "ci_source": obs.ci_source if c.counted else None,
                "verified": obs.verified,
                "citations": list(obs.citations),
            },
        )
        per_cand.setdefault(c.candidate, []).append(made[key])
    out: list[CandidateOut] = []
    for j, cand in enumerate(CANDIDATES):
        pj = prior_list[j]
        if pj <= 0:
            continue
        contribs = per_cand.get(j, [])
        total = sum(x.log10_lr for x in contribs if x.counted)
        lpo = math.log10(pj / (1.0 - pj))
        out.append(
            _construct(
                CandidateOut,
                {
                    "id": cand.id,
                    "structure": cand.structure,
                    "level": cand.level,
                    "root": cand.root,
                    "side": cand.side,
                    "prior": round(pj, 9),
                    "posterior": round(1.0 / (1.0 + 10.0 ** -(lpo + total)), 9),
                    "interval": (round(iv_list[j][0], 6), round(iv_list[j][1], 6)),
                    "log10_prior_odds": round(lpo, 9),
                    "log10_posterior_odds": round(lpo + total, 9),
                    "contributions": contribs,
                },
            )
        )
    lpo_other = float(log10_odds(o_prior))
    out.append(
        _construct(
            CandidateOut,
            {
                "id": OTHER_ID,
                "structure": "other",
                "level": None,
                "root": None,
                "side": None,
                "prior": float(o_prior),
                "posterior": float(_round(o_post, 9)),
                "interval": (float(_round(other_iv[0])), float(_round(other_iv[1]))),
                "log10_prior_odds": float(_round(lpo_other, 9)),
                "log10_posterior_odds": float(_round(lpo_other + o_lr, 9)),
                "contributions": [
                    _construct(
                        ContributionOut,
                        {
                            "evidence": OTHER_EVIDENCE,
                            "item": "none_of_the_ranked_structures",
                            "result": "derived",
                            "source": "model",
                            "log10_lr": float(_round(o_lr, 9)),
                            "counted": True,
                            "reason": None,
                            "uncapped_log10_lr": None,
                            "published_log10_lr": None,
                            "spread_over": None,
                            "ci_source": None,
                            "verified": True,
                            "citations": ["laslett2005_agreement"],
                        },
                    )
                ],
            },
        )
    )
    out.sort(key=lambda c: (-c.posterior, c.id))
    tests = (
        next_tests(compiled, prior, other_sum, single_sum, ceiling, o_prior, posterior=posterior)
        if with_next
        else []
    )
    sides = [s for s, on in zip(SIDES, compiled.side_mask[0], strict=True) if on]
    # every value below is already of its field's type (the output models are frozen)
    return _construct(
        RankResult,
        {
            "kb_version": load_kb().version,
            "method": METHOD,
            "age": float(compiled.age),
            "candidate_sides": sides,
            "candidates": out,
            "flags": imaging_flags(compiled),
            "next_tests": tests,
            "notes": list(compiled.notes),
            "monte_carlo_draws": N_DRAWS if with_interval else 0,
            "structures": _structures(out),
        },
    )


def _structures(candidates: list[CandidateOut]) -> list[dict[str, Any]]:
    """P(at least one location of each structure), assuming independent locations."""
    acc: dict[str, list[float]] = {}
    for c in candidates:
        if c.id == OTHER_ID:
            continue
        pr, po = acc.setdefault(c.structure, [1.0, 1.0])
        acc[c.structure] = [pr * (1.0 - c.prior), po * (1.0 - c.posterior)]
    rows = [
        {"structure": k, "prior": round(1.0 - v[0], 9), "posterior": round(1.0 - v[1], 9)}
        for k, v in acc.items()
    ]
    return sorted(rows, key=lambda r: (-r["posterior"], r["structure"]))


def rank(
    evidence: Evidence | dict[str, Any], *, with_interval: bool = True, with_next: bool = True
) -> RankResult:
    """Rank the pain generators of one patient.

    Parameters
    ----------
    evidence : Evidence or dict
        Evidence object or its parsed JSON.
    with_interval : bool, optional
        Compute Monte Carlo intervals (default True).
    with_next : bool, optional
        Rank next tests (default True).

    Returns
    -------
    RankResult
        Candidates sorted by posterior with contributions, flags and next tests.

    Raises
    ------
    ValidationFailure
        Unknown items, levels, roots, sides or results (with the allowed values).
    """
    ev = evidence if isinstance(evidence, Evidence) else parse_evidence(evidence)
    return rank_compiled(compile_evidence(ev), with_interval=with_interval, with_next=with_next)


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def explain(result: RankResult, top: int = 8) -> str:
    """Readable text of a ranking, with the arithmetic and the citations.

    Parameters
    ----------
    result : RankResult
        A ranking.
    top : int, optional
        How many candidates to detail.

    Returns
    -------
    str
        Plain text.
    """
    cites = citations()
    items = item_index()
    used: list[str] = []
    lines = [
        f"Pain-generator ranking (knowledge base {result.kb_version}), age {result.age:g}, "
        f"sides ranked: {', '.join(result.candidate_sides)}",
        "",
        "How to read: each structure is judged on its own (a patient may have more than one",
        "source). Posterior odds = prior odds x 10^(sum of log10 LR). Ranges are 95% Monte",
        "Carlo intervals from the published confidence intervals.",
        "",
    ]
    if result.structures:
        lines.append(
            "By structure (any level or side): "
            + ", ".join(f"{r['structure']} {_pct(r['posterior'])}" for r in result.structures)
        )
        lines.append("")
    for rank_no, c in enumerate(result.candidates[:top], start=1):
        lines.append(
            f"{rank_no}. {c.id}: {_pct(c.posterior)} (95% range {_pct(c.interval[0])}-"
            f"{_pct(c.interval[1])}); prior {_pct(c.prior)}"
        )
        for x in c.contributions:
            refs = ", ".join(f"[{k}]" for k in x.citations)
            used += [k for k in x.citations if k not in used]
            if x.counted:
                lr = 10**x.log10_lr
                extra = " (capped single block)" if x.uncapped_log10_lr is not None else ""
                if x.published_log10_lr is not None:
                    extra += (
                        f" (published LR {10**x.published_log10_lr:.2f} spread over "
                        f"{x.spread_over} locations)"
                    )
                flag = "" if x.verified else " (unverified)"
                lines.append(f"     {x.evidence}: LR {lr:.2f}{extra}{flag} {refs}")
            else:
                lines.append(f"     {x.evidence}: not counted ({x.reason}) {refs}")
        total = c.log10_posterior_odds - c.log10_prior_odds
        lines.append(
            f"     odds {10**c.log10_prior_odds:.3f} x {10**total:.3f} = "
            f"{10**c.log10_posterior_odds:.3f}"
        )
    if result.flags:
        lines += ["", "Imaging findings and how common they are without pain:"]
        for f in result.flags:
            prev = f["asymptomatic_prevalence"]
            prev_text = "unknown" if prev is None else _pct(float(prev))
            lines.append(
                f"  - {f['finding']} at {f['level']}: {prev_text} of pain-free people aged "
                f"{result.age:g}; drawing: {f['drawing_check']}"
            )
            used += [k for k in f["citations"] if k not in used]
    if result.next_tests:
        lines += ["", "Most informative next tests:"]
        for t in result.next_tests[:5]:
            where = " ".join(str(v) for v in (t["level"], t["root"], t["side"]) if v)
            lines.append(
                f"  - {items[str(t['item'])].name}{' at ' + where if where else ''} "
                f"[{t['cost_class']}]: expected gain {t['expected_information_gain_bits']:.3f} bits"
            )
    if result.notes:
        lines += ["", "Notes:"] + [f"  - {n}" for n in result.notes]
    lines += ["", "References:"] + [f"  [{k}] {cites[k]}" for k in used if k in cites]
    return "\n".join(lines) + "\n"


def rank_record(
    patient: Patient,
    *,
    until: date | None = None,
    encounter_id: str | None = None,
    with_interval: bool = True,
    with_next: bool = True,
) -> RankResult:
    """Rank a stored patient as of a date or an encounter.

    Parameters
    ----------
    patient : Patient
        The clinical record.
    until : datetime.date, optional
        Use records on or before this date (e.g. a treatment's start).
    encounter_id : str, optional
        Use records up to and including this encounter.
    with_interval, with_next : bool, optional
        As in :func:`rank`.

    Returns
    -------
    RankResult
        The ranking at that time (``top()`` is the leading generator).
    """
    evidence = evidence_from_record(patient, until=until, encounter_id=encounter_id)
    return rank(evidence, with_interval=with_interval, with_next=with_next)
