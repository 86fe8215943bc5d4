"""Generate a SYNTHETIC demo cohort of chronic back pain patients.

Each patient has a hidden true pain generator (:mod:`painmap.demo.latent`), a baseline
work-up (pain drawing, questionnaires, examination, MRI, EMG, a diagnostic block), a
treatment aimed at the suspected generator and follow-up visits at 1, 3, 6 and 12
months after the treatment starts (some missed). Pain responds to treatment with the
planted effects of :mod:`painmap.demo.treatment`. Generation is pure and deterministic:
patient ``i`` of seed ``s`` is drawn from its own random stream ``(s, i)``, so a cohort
of 10 starts with the cohort of 5.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from painmap.core.enums import Root, Side, SpinalLevel, Structure, TreatmentType
from painmap.core.errors import ValidationFailure
from painmap.demo import questionnaires as q
from painmap.demo.drawings import drawing_record
from painmap.demo.exam import exam_records
from painmap.demo.findings import block_record, emg_records, imaging_records
from painmap.demo.latent import Latent, draw_latent
from painmap.demo.parameters import default_durability, default_treatment_effects, load_parameters
from painmap.demo.treatment import Decision, Trajectory, decide, trajectory
from painmap.record.models import Encounter, InstrumentRecord, Patient, Record, TreatmentRecord

Rng = np.random.Generator

#: Instruments filled at baseline, and at each follow-up visit.
BASELINE_INSTRUMENTS = ("nrs", "odi", "rmdq", "promis_pi_4a", "startback", "paindetect", "csi",
                        "pcs")
FOLLOW_UP_INSTRUMENTS = ("nrs", "odi", "rmdq", "promis_pi_4a")

#: Every demo patient id starts with this prefix (how a demo database is recognised).
DEMO_ID_PREFIX = "demo-"


def is_demo_id(patient_id: str) -> bool:
    """Whether a patient id is one the demo generator makes (``demo-<seed>-<index>``)."""
    return patient_id.startswith(DEMO_ID_PREFIX)


_END_DAYS = {
    TreatmentType.PHYSIOTHERAPY: 56,
    TreatmentType.MEDICATION: 90,
    TreatmentType.OTHER: 28,
}


@dataclass(frozen=True)
class DemoTruth:
    """The hidden truth behind one synthetic patient (never stored in the record).

    Attributes
    ----------
    patient_id : str
        Id of the generated :class:`~painmap.record.Patient`.
    phenotype : Structure
        True pain generator.
    level, root, side
        Where the true generator is.
    treatment : TreatmentType
        Treatment given.
    suspected : Structure
        Structure the treatment was aimed at.
    matched : bool
        Whether the treatment was aimed at the true generator.
    effect_nrs : float
        NRS reduction applied while the response lasts (planted effect x match).
    loss_month : float
        Month after the treatment start when the response is lost.
    """

    patient_id: str
    phenotype: Structure
    level: SpinalLevel | None
    root: Root | None
    side: Side
    treatment: TreatmentType
    suspected: Structure
    matched: bool
    effect_nrs: float
    loss_month: float


def _instr(instrument: str, answers: list[Any] | dict[str, Any]) -> InstrumentRecord:
    return InstrumentRecord(instrument=instrument, answers=answers)


def _startback_high(answers: list[int]) -> bool:
    psych = sum(answers[4:8]) + (1 if answers[8] >= 3 else 0)
    return psych >= 4


def _paindetect_total(answers: dict[str, Any]) -> float:
    course_pts = {"persistent_slight_fluctuations": 0, "persistent_with_attacks": -1,
                  "attacks_pain_free_between": 1, "attacks_pain_between": 1}
    return float(sum(answers["sensory"]) + course_pts[answers["course"]]
                 + (2 if answers["radiating"] else 0))


def _outcome_instruments(rng: Rng, lat: Latent, nrs: int) -> list[Record]:
    odi_pct = q.odi_percent_target(nrs, lat.distress, rng)
    return [
        _instr("nrs", q.nrs_answers(nrs)),
        _instr("odi", q.odi_answers(rng, odi_pct)),
        _instr("rmdq", q.rmdq_answers(rng, odi_pct)),
        _instr("promis_pi_4a", q.promis_pi_4a_answers(rng, odi_pct)),
    ]


def _treatment_record(dec: Decision, start: date) -> TreatmentRecord:
    days = _END_DAYS.get(dec.type)
    return TreatmentRecord(
        type=dec.type,
        target=dec.suspected,
        level=dec.level if dec.suspected in (Structure.DISC, Structure.FACET, Structure.NERVE_ROOT)
        else None,
        root=dec.root,
        side=dec.side,
        start=start,
        end=start + timedelta(days=days) if days is not None else start,
    )


def generate_patient(
    index: int,
    seed: int,
    *,
    treatment_effects: Mapping[TreatmentType | str, float] | None = None,
) -> tuple[Patient, DemoTruth]:
    """Generate one synthetic patient and its hidden truth.

    Parameters
    ----------
    index : int
        Position of the patient in the cohort (0-based).
    seed : int
        Cohort seed.
    treatment_effects : mapping, optional
        Planted NRS reductions per treatment type that replace the defaults of
        ``demo_parameters.json`` for the types given.

    Returns
    -------
    tuple of (Patient, DemoTruth)
        The clinical record and what really happened.
    """
    params = load_parameters()
    effects = default_treatment_effects()
    for k, v in (treatment_effects or {}).items():
        effects[TreatmentType(k)] = float(v)
    rng = np.random.default_rng([seed, index])
    lat = draw_latent(rng, params)
    pid = f"{DEMO_ID_PREFIX}{seed}-{index:06d}"
    leg_pain = lat.phenotype in (Structure.NERVE_ROOT,) or (
        lat.phenotype in (Structure.SIJ, Structure.FACET, Structure.DISC) and rng.random() < 0.35
    )
    widespread = lat.phenotype is Structure.NOCIPLASTIC

    # Baseline work-up.
    odi_pct = q.odi_percent_target(lat.nrs, lat.distress, rng)
    sb = q.startback_answers(rng, leg_pain=leg_pain, widespread=widespread,
                             odi_percent=odi_pct, distress=lat.distress)
    pd = q.paindetect_answers(rng, neuropathic=lat.neuropathic, radiating=leg_pain)
    csi = q.csi_answers(rng, distress=lat.distress,
                        nociplastic=lat.phenotype is Structure.NOCIPLASTIC)
    baseline_records: list[Record] = [
        drawing_record(rng, lat, leg_pain=leg_pain, nrs=lat.nrs, scale=1.0),
        _instr("nrs", q.nrs_answers(lat.nrs)),
        _instr("odi", q.odi_answers(rng, odi_pct)),
        _instr("rmdq", q.rmdq_answers(rng, odi_pct)),
        _instr("promis_pi_4a", q.promis_pi_4a_answers(rng, odi_pct)),
        _instr("startback", sb),
        _instr("paindetect", pd),
        _instr("csi", csi),
        _instr("pcs", q.pcs_answers(rng, distress=lat.distress)),
        *exam_records(rng, lat, leg_pain=leg_pain),
        *imaging_records(rng, lat, params),
        *emg_records(rng, lat, leg_pain, params),
    ]
    dec = decide(rng, lat, params)
    block = block_record(rng, lat, dec.suspected, dec.level, dec.side, params)
    if block is not None:
        baseline_records.append(block)
    encounters = [Encounter(id=f"{pid}-v0", date=lat.baseline, records=baseline_records)]

    # Treatment.
    v = params["visits"]
    lo, hi = v["treatment_delay_days"]
    start = lat.baseline + timedelta(days=int(rng.integers(lo, hi + 1)))
    encounters.append(Encounter(id=f"{pid}-tx1", date=start,
                                records=[_treatment_record(dec, start)]))
    traj: Trajectory = trajectory(
        rng, lat, dec,
        startback_high=_startback_high(sb), csi=float(sum(csi)), paindetect=_paindetect_total(pd),
        effects=effects, durability=default_durability(), params=params,
    )

    # Follow-up visits after the treatment start. Visit noise, dates and missed visits
    # come from the main stream; drawings and questionnaires from a per-visit stream, so
    # changing a planted effect changes nothing but the pain scores.
    tp = params["trajectory"]
    months = v["follow_up_months"]
    noise = rng.normal(0.0, tp["visit_sd"], size=len(months))
    jitter = rng.integers(-v["date_jitter_days"], v["date_jitter_days"] + 1, size=len(months))
    missed = rng.random(len(months)) < v["miss_probability"]
    for j, month in enumerate(months):
        if missed[j]:
            continue
        vrng = np.random.default_rng([seed, index, 1000 + month])
        nrs = int(np.clip(round(traj.nrs_mean(lat.nrs, month, tp["residual_after_loss"])
                                + noise[j]), 0, 10))
        when = start + timedelta(days=round(month * 365.25 / 12) + int(jitter[j]))
        scale = nrs / lat.nrs if lat.nrs else 1.0
        recs: list[Record] = [drawing_record(vrng, lat, leg_pain=leg_pain, nrs=nrs, scale=scale),
                              *_outcome_instruments(vrng, lat, nrs)]
        encounters.append(Encounter(id=f"{pid}-m{month:02d}", date=when, records=recs))

    patient = Patient(
        id=pid,
        birth_year=lat.baseline.year - lat.age,
        sex=lat.sex,
        pain_onset=lat.onset,
        encounters=encounters,
    )
    truth = DemoTruth(pid, lat.phenotype, lat.level, lat.root, lat.side, dec.type, dec.suspected,
                      dec.matched, traj.effect, traj.loss_month)
    return patient, truth


def _check(n_patients: int, seed: int) -> None:
    if isinstance(n_patients, bool) or not isinstance(n_patients, int) or n_patients < 0:
        raise ValidationFailure("patients", "must be a whole number >= 0", ["0", "1", "2", "..."])
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValidationFailure("seed", "must be a whole number in 0..4294967295")


def iter_cohort_with_truth(
    n_patients: int,
    seed: int,
    *,
    treatment_effects: Mapping[TreatmentType | str, float] | None = None,
) -> Iterator[tuple[Patient, DemoTruth]]:
    """Yield ``(patient, truth)`` pairs of a synthetic cohort, lazily.

    Parameters
    ----------
    n_patients : int
        Number of patients.
    seed : int
        Seed (0 to 2**32 - 1); the same seed gives the same cohort.
    treatment_effects : mapping, optional
        Planted NRS reductions per treatment type, overriding the defaults.

    Yields
    ------
    tuple of (Patient, DemoTruth)
    """
    _check(n_patients, seed)
    if treatment_effects is not None:
        for k in treatment_effects:
            try:
                TreatmentType(k)
            except ValueError:
                raise ValidationFailure("treatment_effects", f"unknown treatment type {k!r}",
                                        [t.value for t in TreatmentType]) from None
    for i in range(n_patients):
        yield generate_patient(i, seed, treatment_effects=treatment_effects)


def generate_cohort(
    n_patients: int,
    seed: int,
    *,
    treatment_effects: Mapping[TreatmentType | str, float] | None = None,
) -> list[Patient]:
    """Generate a SYNTHETIC cohort of chronic back pain patients.

    Parameters
    ----------
    n_patients : int
        Number of patients.
    seed : int
        Seed (0 to 2**32 - 1). Pure and deterministic: the same arguments always give
        the same cohort.
    treatment_effects : mapping of TreatmentType (or its value) to float, optional
        Planted mean NRS reduction (0-10 points) of each treatment type when it is
        aimed at the true generator; types not given keep the defaults of
        ``demo_parameters.json``.

    Returns
    -------
    list of Patient
        Validated patients with ids ``demo-<seed>-<index>``.

    Examples
    --------
    >>> from painmap.demo import generate_cohort
    >>> cohort = generate_cohort(3, seed=1)
    >>> [p.id for p in cohort]
    ['demo-1-000000', 'demo-1-000001', 'demo-1-000002']
    """
    return [p for p, _ in iter_cohort_with_truth(n_patients, seed,
                                                  treatment_effects=treatment_effects)]


def generate_cohort_with_truth(
    n_patients: int,
    seed: int,
    *,
    treatment_effects: Mapping[TreatmentType | str, float] | None = None,
) -> tuple[list[Patient], list[DemoTruth]]:
    """Like :func:`generate_cohort`, also returning each patient's hidden truth."""
    pairs = list(iter_cohort_with_truth(n_patients, seed, treatment_effects=treatment_effects))
    return [p for p, _ in pairs], [t for _, t in pairs]
