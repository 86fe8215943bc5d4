"""Treatment episodes and whether each was aimed at the top-ranked pain generator.

An episode is one treatment record: its type, target structure, level/root, side, start
and end. ``matched_top`` says whether the target agreed with the generator ranked first
by :mod:`painmap.generators` on the evidence recorded up to the start date (the
decision time):

- the structures are the same, and
- where both name a level (disc, facet) the levels are the same, and where both name a
  root the roots are the same, and
- where both name a left/right side the sides are the same (a bilateral or midline
  target covers either side).

Ranking uses the cohort batch ranker, so many episodes are ranked in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
from pydantic import BaseModel, ConfigDict

from painmap.core.errors import ValidationFailure
from painmap.generators import COLUMNS, evidence_from_record, rank_batch
from painmap.record.models import Patient, TreatmentRecord

_ONE_SIDED = {"left", "right"}


class TreatmentEpisode(BaseModel):
    """One treatment episode of a patient.

    Attributes
    ----------
    patient_id : str
    episode : int
        1, 2, ... in order of start date.
    type, target, level, root, side : str or None
        What was done and where it was aimed.
    start, end : datetime.date
    top_generator : str or None
        Id of the top-ranked candidate at the start (e.g. ``facet:L4-L5:left``); candidates
        tied at the top are joined by `` | `` and the target matches when it matches any
        of them. None when nothing was recorded before the start.
    top_posterior : float or None
        Its posterior probability.
    matched_top : bool or None
        Whether the target matched it (None when there was no ranking).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_id: str
    episode: int
    type: str
    target: str | None
    level: str | None
    root: str | None
    side: str | None
    start: date
    end: date | None
    top_generator: str | None = None
    top_posterior: float | None = None
    matched_top: bool | None = None


def _parse(candidate_id: str) -> tuple[str, str | None, str | None, str | None]:
    """``(structure, level, root, side)`` of a candidate id like ``facet:L4-L5:left``."""
    parts = candidate_id.split(":")
    structure, level, root, side = parts[0], None, None, None
    for p in parts[1:]:
        if p in ("left", "right", "bilateral", "midline"):
            side = p
        elif "-" in p:
            level = p
        else:
            root = p
    return structure, level, root, side


def target_matches(candidate_id: str, target: str | None, level: str | None,
                   root: str | None, side: str | None) -> bool:
    """Whether a treatment target agrees with a ranked candidate (rules in the module doc)."""
    c_struct, c_level, c_root, c_side = _parse(candidate_id)
    if target is None or c_struct != target:
        return False
    if c_level is not None and level is not None and c_level != level:
        return False
    if c_root is not None and root is not None and c_root != root:
        return False
    return not (c_side in _ONE_SIDED and side in _ONE_SIDED and c_side != side)


def _treatments(patient: Patient) -> list[TreatmentRecord]:
    recs = [r for e in patient.encounters for r in e.records if isinstance(r, TreatmentRecord)]
    return sorted(recs, key=lambda r: (r.start, r.type.value))


def treatment_episodes(patients: Iterable[Patient], *, rank: bool = True
                       ) -> list[TreatmentEpisode]:
    """The treatment episodes of patients, each with the top-ranked generator at its start.

    Parameters
    ----------
    patients : iterable of Patient
        Patients with their records.
    rank : bool, optional
        Rank the generators at each start (default True); False leaves ``top_generator``
        and ``matched_top`` as None.

    Returns
    -------
    list of TreatmentEpisode
        In patient order, then start order.
    """
    rows: list[dict[str, object]] = []
    evidences = []
    ranked_rows: list[int] = []
    for p in patients:
        for k, t in enumerate(_treatments(p), start=1):
            rows.append({
                "patient_id": p.id, "episode": k, "type": t.type.value,
                "target": t.target.value if t.target else None,
                "level": t.level.value if t.level else None,
                "root": t.root.value if t.root else None,
                "side": t.side.value if t.side else None,
                "start": t.start, "end": t.end,
            })
            if rank:
                try:
                    evidences.append(evidence_from_record(p, until=t.start))
                except ValidationFailure:  # nothing recorded before the start
                    continue
                ranked_rows.append(len(rows) - 1)
    if evidences:
        try:
            post = rank_batch(evidences)
        except ValidationFailure:
            # rank one by one so that one inconsistent record leaves only its episode unranked
            good: list[int] = []
            rows_post = []
            for j, ev in enumerate(evidences):
                try:
                    rows_post.append(rank_batch([ev])[0])
                except ValidationFailure:
                    continue
                good.append(j)
            ranked_rows = [ranked_rows[j] for j in good]
            post = np.asarray(rows_post).reshape(len(good), len(COLUMNS))
        ranked = post[:, : len(COLUMNS) - 1]  # the last column is other/unknown
        best = np.argmax(ranked, axis=1)
        for j, i in enumerate(ranked_rows):
            row = rows[i]
            top = float(ranked[j, best[j]])
            tied = [COLUMNS[int(k)] for k in np.flatnonzero(ranked[j] >= top - 1e-9)]
            row["top_generator"] = " | ".join(tied)
            row["top_posterior"] = top
            row["matched_top"] = any(
                target_matches(cid, row["target"], row["level"], row["root"],  # type: ignore[arg-type]
                               row["side"])  # type: ignore[arg-type]
                for cid in tied
            )
    return [TreatmentEpisode.model_validate(r) for r in rows]
