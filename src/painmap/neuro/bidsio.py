"""Find the inputs of each participant in a BIDS dataset with derivatives.

pybids indexes the raw dataset and its BIDS derivatives (``validate=False``, no
metadata indexing, one query for all files); FreeSurfer subject folders, which are not
BIDS-named, are found by convention under ``derivatives/freesurfer`` as
``sub-<label>_ses-<label>`` (longitudinal) or ``sub-<label>``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from painmap.core.errors import ValidationFailure
from painmap.neuro._deps import require

TASK_LABEL = "pain"
REST_LABEL = "rest"


@dataclass
class SessionInputs:
    """Input files of one subject and session (any may be missing).

    Attributes
    ----------
    session : str
        Session label without ``ses-`` (``""`` for datasets without sessions).
    probseg : Path or None
        ``label-GM_probseg`` image.
    freesurfer : Path or None
        FreeSurfer subject folder.
    task_bold, task_events : Path or None
        Preprocessed painful-stimulus run and its raw events TSV.
    rest_bold : Path or None
        Preprocessed resting-state run (its confounds are found by nilearn).
    """

    session: str
    probseg: Path | None = None
    freesurfer: Path | None = None
    task_bold: Path | None = None
    task_events: Path | None = None
    rest_bold: Path | None = None


@dataclass
class SubjectJob:
    """Everything one participant-level job needs (picklable: paths and strings)."""

    subject: str
    sessions: list[SessionInputs] = field(default_factory=list)


def _check_dataset(bids_dir: Path) -> None:
    if not bids_dir.is_dir():
        raise ValidationFailure("bids_dir", f"not a folder: {bids_dir}")
    if not (bids_dir / "dataset_description.json").is_file():
        raise ValidationFailure("bids_dir", "dataset_description.json is missing (not BIDS)")


def discover(bids_dir: Path, participant_labels: list[str] | None = None) -> list[SubjectJob]:
    """List the participant jobs of a BIDS dataset.

    Parameters
    ----------
    bids_dir : Path
        Raw BIDS dataset; derivatives are read from ``bids_dir/derivatives``.
    participant_labels : list of str, optional
        Labels to keep (with or without ``sub-``); default all.

    Returns
    -------
    list of SubjectJob
        Sorted by subject label.

    Raises
    ------
    ValidationFailure
        If the folder is not a BIDS dataset or a requested label does not exist.
    """
    bids_dir = Path(bids_dir)
    _check_dataset(bids_dir)
    bids = require("bids")
    indexer = bids.layout.BIDSLayoutIndexer(validate=False, index_metadata=False)
    deriv = bids_dir / "derivatives"
    has_deriv = deriv.is_dir() and any(
        (p / "dataset_description.json").is_file() for p in deriv.iterdir() if p.is_dir()
    )
    layout = bids.BIDSLayout(str(bids_dir), derivatives=has_deriv, validate=False, indexer=indexer)
    subjects = sorted(layout.get_subjects())
    if participant_labels:
        wanted = [lab.removeprefix("sub-") for lab in participant_labels]
        unknown = [w for w in wanted if w not in subjects]
        if unknown:
            raise ValidationFailure("participant_label", f"unknown {unknown}", subjects)
        subjects = [s for s in subjects if s in wanted]
    jobs: dict[str, dict[str, SessionInputs]] = {s: {} for s in subjects}
    for f in layout.get(scope="all", return_type="object"):
        ent = f.entities
        sub = ent.get("subject")
        if sub not in jobs:
            continue
        ses = str(ent.get("session", ""))
        rec = jobs[sub].setdefault(ses, SessionInputs(session=ses))
        path = Path(f.path)
        suffix, ext = ent.get("suffix"), ent.get("extension")
        if ext not in (".nii.gz", ".nii", ".tsv"):
            continue
        if suffix == "probseg" and ent.get("label") == "GM":
            rec.probseg = path
        elif suffix == "bold" and ent.get("desc") == "preproc":
            if ent.get("task") == TASK_LABEL:
                rec.task_bold = path
            elif ent.get("task") == REST_LABEL:
                rec.rest_bold = path
        elif suffix == "events" and ent.get("task") == TASK_LABEL:
            rec.task_events = path
    out = []
    for sub in subjects:
        sessions = jobs[sub]
        for ses, rec in sessions.items():
            rec.freesurfer = _freesurfer_dir(deriv / "freesurfer", sub, ses)
        used = [
            sessions[k]
            for k in sorted(sessions)
            if any(
                getattr(sessions[k], a) is not None
                for a in ("probseg", "freesurfer", "task_bold", "rest_bold")
            )
        ]
        out.append(SubjectJob(subject=sub, sessions=used))
    return out


def _freesurfer_dir(root: Path, sub: str, ses: str) -> Path | None:
    names = [f"sub-{sub}_ses-{ses}", f"sub-{sub}"] if ses else [f"sub-{sub}"]
    for name in names:
        if (root / name / "stats" / "aseg.stats").is_file():
            return root / name
    return None


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Read a BIDS TSV into rows of strings (``n/a`` kept as is)."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def read_participants(bids_dir: Path) -> dict[str, dict[str, str]]:
    """Read ``participants.tsv`` keyed by label without ``sub-``.

    Parameters
    ----------
    bids_dir : Path
        BIDS dataset.

    Returns
    -------
    dict
        ``{label: {"group": ..., "age": ..., "sex": ...}}``.

    Raises
    ------
    ValidationFailure
        If the file or a required column is missing.
    """
    path = Path(bids_dir) / "participants.tsv"
    if not path.is_file():
        raise ValidationFailure("participants.tsv", f"not found in {bids_dir}")
    rows = read_tsv(path)
    needed = ("participant_id", "group", "age", "sex")
    if rows:
        missing = [c for c in needed if c not in rows[0]]
        if missing:
            raise ValidationFailure("participants.tsv", f"missing columns {missing}", needed)
    return {r["participant_id"].removeprefix("sub-"): r for r in rows}


def read_sessions(bids_dir: Path, subject: str) -> dict[str, dict[str, str]]:
    """Read ``sub-<label>/sub-<label>_sessions.tsv`` keyed by session label.

    Parameters
    ----------
    bids_dir : Path
        BIDS dataset.
    subject : str
        Label without ``sub-``.

    Returns
    -------
    dict
        ``{session: {"pain_nrs": ..., "odi": ...}}``; empty when the file is absent.
    """
    path = Path(bids_dir) / f"sub-{subject}" / f"sub-{subject}_sessions.tsv"
    if not path.is_file():
        return {}
    return {r["session_id"].removeprefix("ses-"): r for r in read_tsv(path)}
