"""Next best test: expected reduction of the ranking's entropy (information gain).

The ranking's entropy is the sum of the binary entropies of every ranked candidate and
of other/unknown (candidates are independent yes/no hypotheses). For a test not yet
done, painmap computes the posterior after a positive and after a negative result, the
probability of a positive result (from the sensitivity and specificity for the most
probable candidate it targets), and the expected entropy after the test:

    EIG = H(now) - [P(+) H(after +) + P(-) H(after -)]

The same rules as the ranking apply (groups, single-block cap, a test that cannot
tell its locations apart applied once to them). Candidate tests are
built once per set of candidate sides and cached; per patient the work is a few
matrix operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray

from painmap.generators.candidates import CANDIDATES, LEVEL_NAMES, N_CANDIDATES, SIDES
from painmap.generators.compile import Compiled, _observe
from painmap.generators.inference import (
    SINGLE_BLOCK_MAX,
    binary_entropy_bits,
    cap_single_lo,
    log10_odds,
    other_log10_lr,
    probability,
    update,
)
from painmap.generators.knowledge import Accuracy, Item, item_order, load_kb
from painmap.generators.spread import spread_log10_lr

FloatArray = NDArray[np.float64]
COST_ORDER = {"questionnaire": 0, "exam": 1, "imaging": 2, "emg": 3, "block": 4}


@dataclass(frozen=True)
class TestBank:
    """Every orderable test instance for one set of candidate sides, as arrays."""

    item: tuple[str, ...]
    name: tuple[str, ...]
    cost: tuple[str, ...]
    level: tuple[str | None, ...]
    root: tuple[str | None, ...]
    side: tuple[str | None, ...]
    group: tuple[str | None, ...]
    d_pos: FloatArray  # (I, C) published log10 LR if positive
    d_neg: FloatArray  # (I, C) published log10 LR if negative
    spread_k: FloatArray  # (I, C) locations the test cannot tell apart (1: localising)
    spread_sets: tuple[tuple[tuple[int, ...], ...], ...]  # (I,) those location sets
    single: NDArray[np.bool_]  # (I,) single-block test
    ceiling: FloatArray  # (I,)
    sens: FloatArray  # (I, C) sensitivity where targeted, nan elsewhere
    spec: FloatArray  # (I, C)
    item_index: NDArray[np.intp]  # (I,) position of the item in the knowledge base
    group_index: NDArray[np.intp]  # (I,) position of the group in GROUPS, -1 for none
    cost_rank: NDArray[np.intp]  # (I,)


@cache
def groups() -> tuple[str, ...]:
    """Every group name of the knowledge base, in first-use order."""
    out: list[str] = []
    for item in load_kb().items:
        if item.group is not None and item.group not in out:
            out.append(item.group)
    return tuple(out)


def _sn_sp(acc: Accuracy) -> tuple[float, float] | None:
    if acc.sensitivity is not None and acc.specificity is not None:
        return acc.sensitivity, acc.specificity
    lr_p, lr_n = acc.lr_pos, acc.lr_neg
    if lr_n is None or lr_p <= 1.0 or lr_n >= 1.0:
        return None
    sp = (lr_p - 1.0) / (lr_p - lr_n)
    return lr_p * (1.0 - sp), sp


def _locations(
    item: Item, sides: frozenset[str]
) -> list[tuple[str | None, str | None, str | None]]:
    matches = {t.match for t in item.targets}
    levels: list[str | None] = list(LEVEL_NAMES) if "level" in item.requires else [None]
    roots: list[str | None] = [None]
    if "root" in item.requires:
        allowed: list[str] = []
        for t in item.targets:
            for r in t.roots or [c.root for c in CANDIDATES if c.root]:
                if r is not None and r not in allowed:
                    allowed.append(r)
        roots = list(allowed)
    sided = matches & {"side", "level_side", "root_side"}
    # a questionnaire is answered once for the whole patient
    per_side = sided and item.category != "questionnaire"
    side_list: list[str | None] = list(sorted(sides)) if per_side else [None]
    return [(lv, r, s) for lv in levels for r in roots for s in side_list]


@cache
def test_bank(sides: frozenset[str]) -> TestBank:
    """Build (once per side set) every orderable, quantified test instance."""
    rows: dict[str, list[object]] = {
        k: []
        for k in ("item", "name", "cost", "level", "root", "side", "group", "single", "ceiling")
    }
    ids = load_kb().ids
    d_pos: list[FloatArray] = []
    d_neg: list[FloatArray] = []
    spread_k: list[FloatArray] = []
    spread_sets: list[tuple[tuple[int, ...], ...]] = []
    sens: list[FloatArray] = []
    spec: list[FloatArray] = []
    for item in load_kb().items:
        if not item.orderable or not item.quantified:
            continue
        for level, root, side in _locations(item, sides):
            pos = _observe(item, True, "positive", level, root, side, sides, "test", 0)
            neg = _observe(item, False, "negative", level, root, side, sides, "test", 0)
            dp, dn = np.zeros(N_CANDIDATES), np.zeros(N_CANDIDATES)
            kk = np.ones(N_CANDIDATES)
            sets = tuple(tuple(sorted(o.candidates)) for o in pos if len(o.candidates) > 1)
            sn, sp = np.full(N_CANDIDATES, np.nan), np.full(N_CANDIDATES, np.nan)
            for obs in pos:
                acc = item.targets[obs.target_index].accuracy
                pair = _sn_sp(acc) if acc is not None else None
                for c in obs.candidates:
                    dp[c] = obs.log10_lr
                    kk[c] = len(obs.candidates)
                    if pair is not None:
                        sn[c], sp[c] = pair
            for obs in neg:
                for c in obs.candidates:
                    dn[c] = obs.log10_lr
            if not np.isfinite(sn).any():
                continue
            ceiling = item.block.single_block_ceiling if item.block else None
            for key, value in (
                ("item", item.id),
                ("name", item.name),
                ("cost", item.cost_class),
                ("level", level),
                ("root", root),
                ("side", side),
                ("group", item.group),
                ("single", ceiling is not None),
                ("ceiling", ceiling if ceiling is not None else SINGLE_BLOCK_MAX),
            ):
                rows[key].append(value)
            d_pos.append(dp)
            d_neg.append(dn)
            spread_k.append(kk)
            spread_sets.append(sets)
            sens.append(sn)
            spec.append(sp)
    return TestBank(
        item=tuple(rows["item"]),  # type: ignore[arg-type]
        name=tuple(rows["name"]),  # type: ignore[arg-type]
        cost=tuple(rows["cost"]),  # type: ignore[arg-type]
        level=tuple(rows["level"]),  # type: ignore[arg-type]
        root=tuple(rows["root"]),  # type: ignore[arg-type]
        side=tuple(rows["side"]),  # type: ignore[arg-type]
        group=tuple(rows["group"]),  # type: ignore[arg-type]
        d_pos=np.array(d_pos),
        d_neg=np.array(d_neg),
        spread_k=np.array(spread_k),
        spread_sets=tuple(spread_sets),
        single=np.array(rows["single"], dtype=bool),
        ceiling=np.array(rows["ceiling"], dtype=float),
        sens=np.array(sens),
        spec=np.array(spec),
        item_index=np.array([ids.index(str(i)) for i in rows["item"]], dtype=np.intp),
        group_index=np.array(
            [-1 if g is None else groups().index(str(g)) for g in rows["group"]], dtype=np.intp
        ),
        cost_rank=np.array([COST_ORDER.get(str(c), 9) for c in rows["cost"]], dtype=np.intp),
    )


@cache
def _rows_of_set(sides: frozenset[str]) -> dict[tuple[int, ...], tuple[int, ...]]:
    """Location set -> the test rows spread over it (built once per side set)."""
    out: dict[tuple[int, ...], list[int]] = {}
    for i, sets in enumerate(test_bank(sides).spread_sets):
        for cands in sets:
            if i not in out.setdefault(cands, []):
                out[cands].append(i)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _group_pos() -> dict[str, int]:
    return {g: k for k, g in enumerate(groups())}


@dataclass(frozen=True)
class _Cells:
    """Per side set: the test bank's cell constants a patient's next tests start from."""

    targeted: NDArray[np.bool_]  # (I, C) cells with a sensitivity (the test targets them)
    grouped_targeted: NDArray[np.bool_]  # (I, C) targeted cells of tests with a group
    d: FloatArray  # (2, I, C) published log10 LRs after a positive / negative result
    rows_s: NDArray[np.intp]  # spread cells (k > 1): rows
    cols_s: NDArray[np.intp]  # ... and columns
    k_s: FloatArray  # ... and their k
    d_s: FloatArray  # (2, S) ... and their published log10 LRs (positive, negative)
    #: location set -> the spread cells of the test rows spread over it
    spread_cells_of_set: dict[tuple[int, ...], NDArray[np.bool_]]
    single_rows: NDArray[np.intp]  # single-block rows
    single_ceiling: FloatArray  # (len(single_rows), 1) their ceilings
    single_pos: NDArray[np.intp]  # (I,) position among single_rows, -1 for others
    rows: NDArray[np.intp]  # arange(I)


@cache
def _cells(sides: frozenset[str]) -> _Cells:
    bank = test_bank(sides)
    targeted = np.isfinite(bank.sens)
    rows_s, cols_s = np.nonzero(bank.spread_k > 1)
    n_rows = len(bank.item)
    by_set: dict[tuple[int, ...], NDArray[np.bool_]] = {}
    for cands, rows_with in _rows_of_set(sides).items():
        row_on = np.zeros(n_rows, dtype=bool)
        row_on[list(rows_with)] = True
        col_on = np.zeros(N_CANDIDATES, dtype=bool)
        col_on[list(cands)] = True
        by_set[cands] = row_on[rows_s] & col_on[cols_s]
    single_rows = np.flatnonzero(bank.single)
    single_pos = np.full(n_rows, -1, dtype=np.intp)
    single_pos[single_rows] = np.arange(single_rows.size)
    out = _Cells(
        targeted=targeted,
        grouped_targeted=(bank.group_index >= 0)[:, None] & targeted,
        d=np.stack([bank.d_pos, bank.d_neg]),
        rows_s=rows_s,
        cols_s=cols_s,
        k_s=bank.spread_k[rows_s, cols_s],
        d_s=np.stack([bank.d_pos[rows_s, cols_s], bank.d_neg[rows_s, cols_s]]),
        spread_cells_of_set=by_set,
        single_rows=single_rows,
        single_ceiling=bank.ceiling[single_rows, None],
        single_pos=single_pos,
        rows=np.arange(n_rows),
    )
    for arr in (
        out.targeted,
        out.grouped_targeted,
        out.d,
        out.rows_s,
        out.cols_s,
        out.k_s,
        out.d_s,
        out.single_rows,
        out.single_ceiling,
        out.single_pos,
        out.rows,
        *by_set.values(),
    ):
        arr.setflags(write=False)
    return out


@lru_cache(maxsize=256)
def _spread_unchained(sides: frozenset[str], prior_bytes: bytes) -> FloatArray:
    """Spread log10 LRs of the bank's spread cells with nothing spread before them.

    Shape (3, S): before the test (0), after a positive and after a negative result, for
    the priors ``prior_bytes`` (a candidate prior vector, a function of age and sides).
    """
    cells = _cells(sides)
    prior = np.frombuffer(prior_bytes, dtype=np.float64)
    zero = np.zeros(cells.rows_s.size)
    out: FloatArray = spread_log10_lr(
        np.stack([zero, zero + cells.d_s[0], zero + cells.d_s[1]]),
        prior[cells.cols_s],
        cells.k_s,
    )
    out.setflags(write=False)
    return out


def _entropy(prior: FloatArray, posterior: FloatArray, other_prior: float) -> FloatArray:
    ranked = prior > 0
    h = np.where(ranked, binary_entropy_bits(posterior), 0.0).sum(axis=-1)
    other = probability(log10_odds(other_prior) + other_log10_lr(prior, posterior))
    out: FloatArray = h + binary_entropy_bits(other)
    return out


def next_tests(
    compiled: Compiled,
    prior: FloatArray,
    other_sum: FloatArray,
    single_sum: FloatArray,
    ceiling: FloatArray,
    other_prior: float,
    limit: int = 10,
    posterior: FloatArray | None = None,
) -> list[dict[str, object]]:
    """Rank the tests not yet done by expected information gain.

    Parameters
    ----------
    compiled : Compiled
        The patient's compiled evidence (to know what was done).
    prior, other_sum, single_sum, ceiling : numpy.ndarray, shape (C,)
        The patient's current state (see :func:`painmap.generators.inference.update`).
    other_prior : float
        Prior of other/unknown.
    limit : int, optional
        How many tests to return; the best test of every cost class is added after
        them when it is not among them.
    posterior : numpy.ndarray, shape (C,), optional
        The current posteriors when the caller has them (else computed from the state).

    Returns
    -------
    list of dict
        ``item``, ``name``, ``level``, ``root``, ``side``, ``cost_class``,
        ``expected_information_gain_bits``, ``p_positive`` and ``best_in_cost_class``,
        best first.
    """
    sides = frozenset(s for s, on in zip(SIDES, compiled.side_mask[0], strict=True) if on)
    bank = test_bank(sides)
    if not bank.item:
        return []
    if posterior is None:
        posterior, _ = update(prior, other_sum, single_sum, ceiling)

    index = item_order()
    done = np.zeros((len(index), N_CANDIDATES), dtype=bool)
    in_group = np.zeros((len(groups()) + 1, N_CANDIDATES), dtype=bool)
    group_pos = _group_pos()
    observations = compiled.observations
    for contrib in compiled.contributions:
        obs = observations[contrib.observation]
        done[index[obs.item], contrib.candidate] = True
        if contrib.counted and obs.group is not None:
            in_group[group_pos[obs.group], contrib.candidate] = True
    cells = _cells(sides)
    targeted = cells.targeted
    keep = ~(done[bank.item_index] & targeted).any(axis=1)
    blocked = in_group[bank.group_index] & cells.grouped_targeted
    # d[0]: the change after a positive result, d[1]: after a negative one.
    # A test that cannot tell its k locations apart is applied once to the set, after
    # the findings already spread over the same set (compile.chained_spread); only the
    # spread cells are recomputed
    d = cells.d.copy()
    rows_s, cols_s = cells.rows_s, cells.cols_s
    if rows_s.size:
        before = np.zeros(rows_s.size)
        for cands, total in compiled.chains.items():
            on = cells.spread_cells_of_set.get(cands)
            if on is not None:
                before[on] = total
        # the state before, after a positive and after a negative: cells without an
        # earlier finding on their set depend on the priors only (cached per prior
        # vector, i.e. per age and sides); the others in one elementwise call
        eff = _spread_unchained(sides, prior.tobytes()).copy()
        chained = np.flatnonzero(before != 0.0)
        if chained.size:
            b = before[chained]
            eff[:, chained] = spread_log10_lr(
                np.stack([b, b + cells.d_s[0, chained], b + cells.d_s[1, chained]]),
                prior[cols_s[chained]],
                cells.k_s[chained],
            )
        d[0, rows_s, cols_s] = eff[1] - eff[0]
        d[1, rows_s, cols_s] = eff[2] - eff[0]
    d = np.where(blocked, 0.0, d)
    # tests that are not single blocks leave the single-block cap as it is now; only the
    # single-block rows need the cap recomputed with their own ceiling
    lpo = log10_odds(prior)
    applied_now = cap_single_lo(lpo, single_sum, log10_odds(np.minimum(ceiling, SINGLE_BLOCK_MAX)))
    single_rows = cells.single_rows
    limit_rows = log10_odds(
        np.minimum(np.minimum(ceiling[None, :], cells.single_ceiling), SINGLE_BLOCK_MAX)
    )
    # a cell keeps the current posterior unless the test moves it: a non-zero change, or a
    # single-block row on a candidate whose single-block sum the new ceiling may cap
    # again; only the moved cells are recomputed (the others are equal to the last bit)
    post_now = probability(lpo + ((other_sum + 0.0) + applied_now))
    ranked = prior > 0
    h_cells_now = np.where(ranked, binary_entropy_bits(post_now), 0.0)
    ratio_now = np.maximum(1.0 - post_now, 1e-300) / np.maximum(1.0 - prior, 1e-300)
    lo_other = log10_odds(other_prior)
    if np.array_equal(post_now, posterior):  # as _entropy(prior, posterior, other_prior)
        other_now = probability(lo_other + np.log10(np.multiply.reduce(ratio_now, axis=-1)))
        h_now = float(h_cells_now.sum(axis=-1) + binary_entropy_bits(other_now))
    else:
        h_now = float(_entropy(prior, posterior, other_prior))
    recap = np.zeros(targeted.shape, dtype=bool)
    recap[single_rows] = (single_sum > 0)[None, :]
    z_c, rows_c, cols_c = np.nonzero((d != 0) | recap)
    is_single = bank.single[rows_c]
    d_c = d[z_c, rows_c, cols_c]
    post_c = probability(lpo[cols_c] + ((other_sum[cols_c] + d_c) + applied_now[cols_c]))
    if single_rows.size and is_single.any():
        s_rows, s_cols = rows_c[is_single], cols_c[is_single]
        applied = cap_single_lo(
            lpo[s_cols],
            single_sum[s_cols] + d_c[is_single],
            limit_rows[cells.single_pos[s_rows], s_cols],
        )
        post_c[is_single] = probability(lpo[s_cols] + ((other_sum[s_cols] + 0.0) + applied))
    # entropy of the ranking after each result of each test, shape (2, I)
    h = np.broadcast_to(h_cells_now, d.shape).copy()
    h[z_c, rows_c, cols_c] = np.where(ranked[cols_c], binary_entropy_bits(post_c), 0.0)
    ratio = np.broadcast_to(ratio_now, d.shape).copy()
    ratio[z_c, rows_c, cols_c] = np.maximum(1.0 - post_c, 1e-300) / np.maximum(
        1.0 - prior[cols_c], 1e-300
    )
    other = probability(lo_other + np.log10(np.multiply.reduce(ratio, axis=-1)))
    h_after_result = h.sum(axis=-1) + binary_entropy_bits(other)

    anchor_score = np.where(targeted & ~blocked, posterior[None, :], -1.0)
    anchor = anchor_score.argmax(axis=1)
    rows = cells.rows
    p_anchor = posterior[anchor]
    sn, sp = bank.sens[rows, anchor], bank.spec[rows, anchor]
    p_pos = p_anchor * sn + (1.0 - p_anchor) * (1.0 - sp)
    h_after = p_pos * h_after_result[0] + (1 - p_pos) * h_after_result[1]
    gain = h_now - h_after
    useful = np.flatnonzero(keep & (anchor_score.max(axis=1) >= 0) & np.isfinite(gain))
    order: list[int] = useful[
        np.lexsort((useful, bank.cost_rank[useful], -np.round(gain[useful], 9)))
    ].tolist()
    chosen = order[:limit]
    best: dict[str, int] = {}
    for k in order:
        best.setdefault(bank.cost[k], k)
    extra = set(best.values()) - set(chosen)
    chosen += [k for k in order if k in extra]
    gain_list: list[float] = gain.tolist()
    p_pos_list: list[float] = p_pos.tolist()
    out: list[dict[str, object]] = []
    for i in chosen:
        out.append(
            {
                "item": bank.item[i],
                "name": bank.name[i],
                "level": bank.level[i],
                "root": bank.root[i],
                "side": bank.side[i],
                "cost_class": bank.cost[i],
                "expected_information_gain_bits": round(gain_list[i], 5),
                "p_positive": round(p_pos_list[i], 4),
                "best_in_cost_class": best.get(bank.cost[i]) == i,
            }
        )
    return out
