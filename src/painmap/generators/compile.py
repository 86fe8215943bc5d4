"""Turn evidence into per-candidate likelihood-ratio contributions.

Each finding, drawing feature, questionnaire result and block becomes one
:class:`Observation` per knowledge-base target, naming the candidates it speaks about
and its log10 likelihood ratio. Then two rules keep one finding from being counted
twice:

* **groups** — items that measure the same thing share a ``group`` (a cluster and its
  parts, an HIZ and an annular fissure, Modic 1 and Modic 2, midline pain and
  "buttock pain without lumbar pain", blocks of one joint): for each candidate only the
  first observed item of a group counts (knowledge-base order; for blocks the strongest
  design: placebo-controlled, then comparative, then single);
* **explicit beats derived** — a finding given explicitly replaces the same item derived
  from the drawing or a questionnaire.

A finding that applies to k > 1 locations of a structure without telling them apart
(centralisation for every disc, painDETECT for every root, a sign without a side for
both sides, a block of two levels) is applied once to the structure: each of the k
candidates gets the effective ratio of :mod:`painmap.generators.spread`, and the
observation keeps the published one in ``published_log10_lr``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray

from painmap.core.enums import BlockDesign, BlockType
from painmap.core.errors import ValidationFailure
from painmap.generators.candidates import CANDIDATES, INDEX, LEVEL_NAMES, ROOT_NAMES, SIDES
from painmap.generators.drawing_evidence import (
    DrawingSummary,
    findings_from_summary,
    summarize_drawing,
)
from painmap.generators.evidence import BlockEvidence, Evidence, Finding
from painmap.generators.knowledge import (
    Item,
    Target,
    item_index,
    item_order,
    load_kb,
    misclassified,
)
from painmap.generators.priors import location_prior_scalar
from painmap.generators.spread import spread_log10_lr_unequal

POSITIVE_RESULTS = frozenset({"positive", "present"})
_DESIGN_RANK = {"placebo_controlled": 0, "comparative": 1, "single": 2}


@dataclass
class Observation:
    """One evidence item applied through one knowledge-base target."""

    item: str
    result: str
    positive: bool
    target_index: int
    candidates: list[int]
    log10_lr: float
    se: float
    ci_source: str
    citations: tuple[str, ...]
    verified: bool
    group: str | None
    precedence: int
    source: str
    label: str
    quantified: bool
    single_ceiling: float | None = None
    note: str | None = None
    #: The published log10 LR when ``log10_lr`` is that ratio spread over locations.
    published_log10_lr: float | None = None
    #: Number of locations the finding applies to without distinguishing them.
    spread_k: int = 1
    #: Parameter keys of earlier findings spread over the same locations (a chain).
    spread_prev: tuple[str, ...] = ()

    @property
    def param_key(self) -> str:
        """Identity of the sampled parameter (shared by every candidate it applies to)."""
        return f"{self.item}#{self.target_index}#{'+' if self.positive else '-'}"


@dataclass
class Contribution:
    """One observation's effect on one candidate, counted or not (and why not)."""

    candidate: int
    observation: int
    counted: bool
    reason: str | None = None


@dataclass
class Compiled:
    """Evidence reduced to arrays and audit records."""

    age: float
    side_mask: NDArray[np.bool_]
    observations: list[Observation]
    contributions: list[Contribution]
    notes: list[str] = field(default_factory=list)
    summary: DrawingSummary | None = None
    findings: list[tuple[Finding, str]] = field(default_factory=list)
    #: Candidate set -> sum of the published log10 LRs spread over it (and counted).
    chains: dict[tuple[int, ...], float] = field(default_factory=dict)


def _location_label(level: str | None, root: str | None, side: str | None) -> str:
    parts = [p for p in (level, root, side) if p]
    return f" at {' '.join(parts)}" if parts else ""


def _side_set(side: str | None, candidate_sides: frozenset[str]) -> list[str]:
    if side in SIDES:
        return [side]
    return sorted(candidate_sides)


def resolve_candidates(
    target: Target,
    level: str | None,
    root: str | None,
    side: str | None,
    candidate_sides: frozenset[str],
) -> list[int]:
    """Column indices of the candidates a target speaks about at a location.

    Parameters
    ----------
    target : Target
        The knowledge-base target (structure and match rule).
    level, root, side : str or None
        The finding's location (``side`` may be ``bilateral``/``midline``/None = all).
    candidate_sides : frozenset of str
        The patient's candidate sides.

    Returns
    -------
    list of int
        Candidate indices; empty when the target does not apply (e.g. another root).
    """
    sides = _side_set(side, candidate_sides)
    s = target.structure
    wanted: list[str] = []
    if target.match == "global":
        wanted = [s]
    elif target.match == "level":
        wanted = [f"{s}:{lv}" for lv in ([level] if level else LEVEL_NAMES)]
    elif target.match == "all":
        wanted = [
            c.id for c in CANDIDATES if c.structure == s and (c.side is None or c.side in sides)
        ]
    elif target.match == "side":
        wanted = [f"{s}:{sd}" for sd in sides]
    elif target.match == "level_side":
        levels = [level] if level else list(LEVEL_NAMES)
        wanted = [f"{s}:{lv}:{sd}" for lv in levels for sd in sides]
    elif target.match == "root_side":
        allowed = target.roots or list(ROOT_NAMES)
        roots = list(allowed) if root is None else [r for r in (root,) if r in allowed]
        wanted = [f"{s}:{r}:{sd}" for r in roots for sd in sides]
    return [INDEX[w] for w in wanted if w in INDEX]


def _block_item(block: BlockEvidence, notes: list[str], where: str) -> tuple[str, bool]:
    design = str(block.design)
    if (
        block.design == BlockDesign.COMPARATIVE
        and block.concordant_duration is None
        and block.type != BlockType.DISCOGRAPHY
    ):
        design = "single"
        notes.append(
            f"{where}: comparative block without concordant_duration is counted as a single block"
        )
    item_id = f"block_{block.type}_{design}"
    item = item_index()[item_id]
    assert item.block is not None
    positive = block.relief_percent >= item.block.relief_threshold_percent
    if block.type == BlockType.DISCOGRAPHY and block.concordant_pain is not None:
        positive = block.concordant_pain
    if design == "comparative" and block.concordant_duration is False:
        positive = False
    return item_id, positive


@cache
def _log10_se(item_id: str, target_index: int, positive: bool) -> tuple[float, str]:
    acc = item_index()[item_id].targets[target_index].accuracy
    assert acc is not None
    return acc.log10_se(positive)


def _observe(
    item: Item,
    positive: bool,
    result: str,
    level: str | None,
    root: str | None,
    side: str | None,
    candidate_sides: frozenset[str],
    source: str,
    precedence: int,
) -> list[Observation]:
    """The observations of one evidence record: fresh copies of cached templates.

    They depend only on the knowledge base and these arguments (finite sets of values),
    so they are built once; callers may change the copies (the spread, block labels).
    """
    out: list[Observation] = []
    for t in _observe_templates(
        item.id, positive, result, level, root, side, candidate_sides, source, precedence
    ):
        obs = object.__new__(Observation)
        obs.__dict__.update(t.__dict__)
        obs.candidates = list(t.candidates)
        out.append(obs)
    return out


@lru_cache(maxsize=8192)
def _observe_templates(
    item_id: str,
    positive: bool,
    result: str,
    level: str | None,
    root: str | None,
    side: str | None,
    candidate_sides: frozenset[str],
    source: str,
    precedence: int,
) -> tuple[Observation, ...]:
    item = item_index()[item_id]
    return tuple(
        _build_observations(
            item, positive, result, level, root, side, candidate_sides, source, precedence
        )
    )


def _build_observations(
    item: Item,
    positive: bool,
    result: str,
    level: str | None,
    root: str | None,
    side: str | None,
    candidate_sides: frozenset[str],
    source: str,
    precedence: int,
) -> list[Observation]:
    out: list[Observation] = []
    for t_index, target in enumerate(item.targets):
        cands = resolve_candidates(target, level, root, side, candidate_sides)
        if not cands:
            continue
        label = f"{item.id} {result}{_location_label(level, root, side)}"
        acc = target.accuracy
        lr = None
        if acc is not None:
            lr = acc.lr_pos if positive else acc.lr_neg
        if acc is None or lr is None:
            why = "no published accuracy" if acc is None else "no published negative LR"
            out.append(
                Observation(
                    item.id,
                    result,
                    positive,
                    t_index,
                    cands,
                    0.0,
                    0.0,
                    "none",
                    tuple(acc.citations) if acc else (),
                    bool(acc and acc.verified),
                    item.group,
                    precedence,
                    source,
                    label,
                    quantified=False,
                    note=why,
                )
            )
            continue
        se, ci_source = _log10_se(item.id, t_index, positive)
        cites = tuple(acc.citations)
        error = item.drawing_misclassification
        if source == "drawing" and error and acc.sensitivity and acc.specificity:
            sn, sp = misclassified(acc.sensitivity, acc.specificity, error)
            lr = sn / (1 - sp) if positive else (1 - sn) / sp
            cites += tuple(item.misclassification_citations or ())
            label += f" (read from the drawing; {100 * error:g}% drawing error allowed)"
        ceiling = item.block.single_block_ceiling if item.block else None
        out.append(
            Observation(
                item.id,
                result,
                positive,
                t_index,
                cands,
                math.log10(lr),
                se,
                ci_source,
                cites,
                acc.verified,
                item.group,
                precedence,
                source,
                label,
                quantified=True,
                single_ceiling=ceiling,
            )
        )
    return out


@cache
def _items_by_instrument() -> dict[str, Item]:
    return {i.instrument: i for i in load_kb().items if i.instrument}


def _instrument_findings(evidence: Evidence, notes: list[str]) -> list[Finding]:
    if not evidence.instruments:
        return []
    from painmap import instruments

    by_instrument = _items_by_instrument()
    out: list[Finding] = []
    for name, answers in evidence.instruments.items():
        item = by_instrument.get(name)
        if item is None:
            raise ValidationFailure(
                f"instruments.{name}",
                "no evidence item uses this instrument",
                sorted(by_instrument),
            )
        try:
            result = instruments.score(name, answers)
        except ValidationFailure as exc:
            raise ValidationFailure(
                f"instruments.{name}.{exc.field}", exc.message, exc.allowed
            ) from None
        value = getattr(result, "score", None)
        if value is None:
            notes.append(f"instruments.{name}: incomplete, not used")
            continue
        assert item.cutoff is not None
        res = "positive" if float(value) >= item.cutoff else "negative"
        out.append(Finding(item=item.id, result=res))
    return out


def candidate_sides(evidence: Evidence, summary: DrawingSummary | None) -> frozenset[str]:
    """The sides on which sided structures are ranked.

    The sides where the patient has pain (``pain_sides``, else the drawing), plus any
    side a finding or block names; both sides when nothing says otherwise.
    """
    sides: set[str] = set()
    if evidence.pain_sides:
        sides.update(evidence.pain_sides)
    elif summary is not None:
        sides.update(summary.pain_sides)
    if sides:
        for f in evidence.findings:
            if f.side in SIDES:
                sides.add(f.side)
        for b in evidence.blocks:
            if b.side in SIDES:
                sides.add(b.side)
    return frozenset(sides) if sides else frozenset(SIDES)


def compile_evidence(evidence: Evidence, summary: DrawingSummary | None = None) -> Compiled:
    """Turn validated evidence into observations and per-candidate contributions.

    Parameters
    ----------
    evidence : Evidence
        Validated evidence (see :func:`painmap.generators.evidence.parse_evidence`).
    summary : DrawingSummary, optional
        A precomputed drawing summary (otherwise computed from ``evidence.drawing``).

    Returns
    -------
    Compiled
        Observations, contributions (with the no-double-counting rules applied),
        candidate sides and notes.

    Raises
    ------
    ValidationFailure
        When the same item is given twice for the same candidate, or an instrument is
        not used by any item.
    """
    notes = list(evidence.notes)
    if summary is None and evidence.drawing is not None:
        summary = summarize_drawing(evidence.drawing)
    sides = candidate_sides(evidence, summary)
    items = item_index()
    order = item_order()

    explicit = [(f, "finding", f"findings[{i}]") for i, f in enumerate(evidence.findings)]
    explicit_items = {f.item for f in evidence.findings}
    derived: list[tuple[Finding, str, str]] = []
    if summary is not None:
        derived += [(f, "drawing", "drawing") for f in findings_from_summary(summary, sides)]
    derived += [(f, "instrument", "instruments") for f in _instrument_findings(evidence, notes)]
    for f, source, _ in derived:
        if f.item in explicit_items:
            notes.append(
                f"{f.item}: the explicit finding replaces the one derived from the {source}"
            )
    all_findings = explicit + [d for d in derived if d[0].item not in explicit_items]

    observations: list[Observation] = []
    owners: list[str] = []
    records: list[int] = []
    for r, (f, source, where) in enumerate(all_findings):
        item = items[f.item]
        for obs in _observe(
            item,
            f.result in POSITIVE_RESULTS,
            f.result,
            f.level,
            f.root,
            f.side,
            sides,
            source,
            order[item.id],
        ):
            observations.append(obs)
            owners.append(where)
            records.append(r)
    for i, b in enumerate(evidence.blocks):
        where = f"blocks[{i}]"
        item_id, positive = _block_item(b, notes, where)
        item = items[item_id]
        assert item.block is not None
        precedence = _DESIGN_RANK[item.block.design]
        result = "positive" if positive else "negative"
        levels: list[str | None] = list(b.levels) if b.levels else [None]
        for level in levels:
            for obs in _observe(
                item, positive, result, level, b.root, b.side, sides, "block", precedence
            ):
                obs.label = f"{obs.label} ({b.relief_percent:g}% relief)"
                observations.append(obs)
                owners.append(where)
                records.append(len(all_findings) + i)

    side_mask = np.array([[s in sides for s in SIDES]], dtype=bool)
    contributions = _contributions(observations, owners)
    chains = _spread(observations, records, contributions, float(evidence.age), side_mask)
    return Compiled(
        age=float(evidence.age),
        side_mask=side_mask,
        observations=observations,
        contributions=contributions,
        notes=notes,
        summary=summary,
        findings=[(f, src) for f, src, _ in all_findings],
        chains=chains,
    )


def chained_spread(previous: float, log10_lr: float, priors: list[float]) -> float:
    """Effective log10 LR of a finding spread over locations already moved by others.

    ``F(previous + log10_lr) - F(previous)`` with ``F`` the spread of a total published
    log10 LR over the locations (:func:`painmap.generators.spread.spread_log10_lr_unequal`):
    findings spread over the same locations then move "any of them" exactly as their
    published LRs multiplied together would, in any order.
    """
    if previous == 0.0:
        return spread_log10_lr_unequal(log10_lr, priors)
    return spread_log10_lr_unequal(previous + log10_lr, priors) - spread_log10_lr_unequal(
        previous, priors
    )


def _spread(
    observations: list[Observation],
    records: list[int],
    contributions: list[Contribution],
    age: float,
    side_mask: NDArray[np.bool_],
) -> dict[tuple[int, ...], float]:
    """Replace the LR of every non-localising observation by its spread equivalent.

    The locations of one evidence record (a finding or a block, all its levels) and one
    knowledge-base target form one set of k candidates; the record's published LR is
    applied once to that set (see :mod:`painmap.generators.spread`). Several records
    spread over the same set form a chain, so that together they update the set once
    each. Returns the chains: candidate set -> sum of the counted published log10 LRs.
    """
    units: dict[tuple[int, str, int], list[int]] = {}
    wide = False
    for i, obs in enumerate(observations):
        if obs.quantified:
            idx = units.setdefault((records[i], obs.item, obs.target_index), [])
            idx.append(i)
            wide = wide or len(obs.candidates) > 1 or len(idx) > 1
    if not wide:
        return {}
    sets = {
        u: tuple(sorted({c for i in idx for c in observations[i].candidates}))
        if len(idx) > 1
        else tuple(sorted(observations[idx[0]].candidates))
        for u, idx in units.items()
    }
    partly_counted = {c.observation for c in contributions if not c.counted}
    n_sides = int(side_mask[0, 0]) + int(side_mask[0, 1]) or 2
    per_structure: dict[str, float] = {}
    chains: dict[tuple[int, ...], float] = {}
    chain_keys: dict[tuple[int, ...], list[str]] = {}
    for u in sorted(units, key=lambda key: units[key][0]):
        cands = sets[u]
        if len(cands) <= 1:
            continue
        idx = units[u]
        first = observations[idx[0]]
        published = first.log10_lr
        previous = chains.get(cands, 0.0)
        priors: list[float] = []
        for c in cands:
            name = CANDIDATES[c].structure
            if name not in per_structure:
                per_structure[name] = location_prior_scalar(name, age, n_sides)
            priors.append(per_structure[name])
        eff = chained_spread(previous, published, priors)
        before = tuple(chain_keys.get(cands, ()))
        for i in idx:
            obs = observations[i]
            obs.published_log10_lr = obs.log10_lr
            obs.spread_k = len(cands)
            obs.spread_prev = before
            obs.log10_lr = eff
        if not any(i in partly_counted for i in idx):
            chains[cands] = previous + published
            chain_keys.setdefault(cands, []).append(first.param_key)
    return chains


def _contributions(observations: list[Observation], owners: list[str]) -> list[Contribution]:
    seen: dict[tuple[str, int], int] = {}
    out: list[Contribution] = []
    group_winner: dict[tuple[str, int], int] = {}
    ranked = sorted(range(len(observations)), key=lambda k: (observations[k].precedence, k))
    for k in ranked:
        obs = observations[k]
        for cand in obs.candidates:
            key = (obs.item, cand)
            if (
                key in seen
                and obs.source != "block"
                and owners[seen[key]] != owners[k]
                and observations[seen[key]].source == "finding"
            ):
                raise ValidationFailure(
                    owners[k],
                    f"{obs.item} is given twice for {CANDIDATES[cand].id} "
                    f"(also in {owners[seen[key]]})",
                )
            seen.setdefault(key, k)
            if not obs.quantified:
                out.append(Contribution(cand, k, False, obs.note))
                continue
            if obs.group is not None:
                gkey = (obs.group, cand)
                if gkey in group_winner:
                    other = observations[group_winner[gkey]]
                    out.append(
                        Contribution(
                            cand,
                            k,
                            False,
                            f"same finding as {other.item} (group {obs.group}): counted once",
                        )
                    )
                    continue
                group_winner[gkey] = k
            out.append(Contribution(cand, k, True))
    out.sort(key=lambda c: (c.candidate, c.observation))
    return out
