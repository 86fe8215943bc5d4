"""Participant-level measures: pain-ROI values per subject and session.

Measures (column ``measure`` of the output):

``gm_volume_mm3``
    Grey-matter volume: sum of the ``label-GM_probseg`` values in the ROI × voxel volume.
``thickness_mm``
    FreeSurfer cortical thickness (surface-area-weighted over the ROI's aparc parcels).
``fs_volume_mm3``
    FreeSurfer grey-matter volume (aparc GrayVol sum, or aseg volume for nuclei).
``task_effect_pct``
    Painful stimulus > baseline effect size (% signal change) of a nilearn
    ``FirstLevelModel`` (Glover HRF, cosine drift, OLS noise model, six motion confounds), averaged
    over the ROI.
``fc_z_<roi>``
    Resting-state ROI-to-ROI connectivity (Fisher z of the Pearson correlation) after
    the fMRIPrep ``simple`` confound strategy of nilearn's ``load_confounds_strategy``.

Outputs are written atomically; a subject whose outputs exist is skipped.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from painmap.neuro._deps import require
from painmap.neuro.atlas import roi_labels
from painmap.neuro.bidsio import SessionInputs, SubjectJob, read_tsv
from painmap.neuro.extract import ROIExtractor
from painmap.neuro.freesurfer import read_subject, roi_table
from painmap.neuro.guard import check_columns
from painmap.neuro.niftiio import Volume, read_volume
from painmap.neuro.rois import ROI_IDS

MEASURE_COLUMNS = ["participant_id", "session", "roi", "measure", "value"]
COVARIATE_COLUMNS = [
    "participant_id",
    "session",
    "etiv_mm3",
    "rest_mean_fd_mm",
    "rest_volumes_kept",
]
CONFOUND_STRATEGY = "simple"
#: First-level noise model. Only the ROI effect sizes go to the group level (summary
#: statistics approach); OLS effect sizes are unbiased under serially correlated noise
#: and an AR(1) refit would only change first-level variances, which are not used,
#: at several times the cost.
TASK_NOISE_MODEL = "ols"


@dataclass
class SubjectResult:
    """What a participant job did."""

    subject: str
    status: str  # "done" or "skipped"
    files: list[str]


def output_paths(out_dir: Path, subject: str) -> tuple[Path, Path]:
    """Measures and covariates TSV paths of one subject."""
    base = Path(out_dir) / f"sub-{subject}"
    return (
        base / f"sub-{subject}_desc-painrois_measures.tsv",
        base / f"sub-{subject}_desc-covariates_sessions.tsv",
    )


def process_subject(job: SubjectJob, out_dir: str | Path) -> SubjectResult:
    """Compute and write the ROI measures of one subject (all sessions).

    Parameters
    ----------
    job : SubjectJob
        Input files.
    out_dir : str or Path
        Output folder of the BIDS app.

    Returns
    -------
    SubjectResult
        ``status`` is ``"skipped"`` when the outputs already existed.
    """
    measures_path, cov_path = output_paths(Path(out_dir), job.subject)
    if measures_path.is_file() and cov_path.is_file():
        return SubjectResult(job.subject, "skipped", [str(measures_path), str(cov_path)])
    rows: list[list[str]] = []
    cov_rows: list[list[str]] = []
    for ses in job.sessions:
        values, cov = session_measures(ses)
        for (roi, measure), value in values.items():
            rows.append([f"sub-{job.subject}", ses.session, roi, measure, _num(value)])
        cov_rows.append([f"sub-{job.subject}", ses.session, *(_num(v) for v in cov)])
    check_columns(MEASURE_COLUMNS, [r[3] for r in rows])
    _atomic_tsv(cov_path, COVARIATE_COLUMNS, cov_rows)
    _atomic_tsv(measures_path, MEASURE_COLUMNS, rows)
    return SubjectResult(job.subject, "done", [str(measures_path), str(cov_path)])


def _num(v: float | None) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return repr(float(v))


def _atomic_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\t".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _extractor(vol: Volume) -> ROIExtractor:
    labels = roi_labels(vol.data.shape[:3], vol.affine)
    return ROIExtractor(labels, len(ROI_IDS))


def session_measures(
    ses: SessionInputs,
) -> tuple[dict[tuple[str, str], float], list[float | None]]:
    """All measures of one session.

    Parameters
    ----------
    ses : SessionInputs
        Input files of the session.

    Returns
    -------
    values : dict of (roi, measure) to float
    covariates : list
        ``[etiv_mm3, rest_mean_fd_mm, rest_volumes_kept]`` (``None`` when unavailable).
    """
    values: dict[tuple[str, str], float] = {}
    etiv: float | None = None
    fd: float | None = None
    kept: float | None = None
    if ses.probseg is not None:
        vol = read_volume(ses.probseg)
        sums = _extractor(vol).sums(vol.data, vol.slope, vol.inter) * vol.voxel_volume
        for k, rid in enumerate(ROI_IDS):
            values[(rid, "gm_volume_mm3")] = float(sums[k])
    if ses.freesurfer is not None:
        subject = read_subject(ses.freesurfer)
        etiv_raw = subject["aseg"]["measures"].get("eTIV")
        etiv = float(etiv_raw) if etiv_raw is not None else None
        for rid, rec in roi_table(subject).items():
            if rec["thickness_mm"] is not None:
                values[(rid, "thickness_mm")] = float(rec["thickness_mm"])
            if rec["gray_volume_mm3"] is not None:
                values[(rid, "fs_volume_mm3")] = float(rec["gray_volume_mm3"])
    if ses.task_bold is not None and ses.task_events is not None:
        for k, v in enumerate(task_effects(ses.task_bold, ses.task_events)):
            values[(ROI_IDS[k], "task_effect_pct")] = float(v)
    if ses.rest_bold is not None:
        z, fd, kept = rest_connectivity(ses.rest_bold)
        for i in range(len(ROI_IDS)):
            for j in range(i + 1, len(ROI_IDS)):
                values[(ROI_IDS[i], f"fc_z_{ROI_IDS[j]}")] = float(z[i, j])
    return dict(sorted(values.items(), key=_order)), [etiv, fd, kept]


def _order(item: tuple[tuple[str, str], float]) -> tuple[int, str]:
    (roi, measure), _ = item
    return ROI_IDS.index(roi), measure


def _tr(vol: Volume, bold: Path) -> float:
    side = Path(str(bold).replace(".nii.gz", ".json").replace(".nii", ".json"))
    if side.is_file():
        meta = json.loads(side.read_text(encoding="utf-8"))
        if "RepetitionTime" in meta:
            return float(meta["RepetitionTime"])
    return float(vol.zooms[3]) if len(vol.zooms) > 3 and vol.zooms[3] > 0 else 2.0


def task_effects(bold: Path, events: Path) -> NDArray[np.float64]:
    """Painful > baseline effect size (% signal change at the response peak) per ROI.

    Parameters
    ----------
    bold : Path
        Preprocessed task run (fMRIPrep naming, confounds beside it).
    events : Path
        BIDS events TSV with ``trial_type`` ``painful``.

    Returns
    -------
    ndarray
        One value per ROI (NaN for ROIs without voxels on the BOLD grid).
    """
    nib = require("nibabel")
    pd = require("pandas")
    fl = require("nilearn.glm.first_level")
    fmriprep = require("nilearn.interfaces.fmriprep")
    vol = read_volume(bold)
    ex = _extractor(vol)
    labels = np.zeros(int(np.prod(vol.data.shape[:3])), dtype=np.int16)
    labels[ex.voxels] = 1
    mask = nib.Nifti1Image(
        labels.reshape(vol.data.shape[:3], order="F").astype(np.uint8), vol.affine
    )
    img = nib.Nifti1Image(
        np.asarray(vol.data, dtype=np.float32) * vol.slope + vol.inter, vol.affine
    )
    ev = pd.DataFrame(read_tsv(events))
    ev = ev[ev["trial_type"] == "painful"][["onset", "duration", "trial_type"]]
    ev = ev.astype({"onset": float, "duration": float})
    confounds, _ = fmriprep.load_confounds(str(bold), strategy=("motion",), motion="basic")
    model = fl.FirstLevelModel(
        t_r=_tr(vol, bold),
        hrf_model="glover",
        drift_model="cosine",
        high_pass=0.01,
        noise_model=TASK_NOISE_MODEL,
        mask_img=mask,
        minimize_memory=True,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(img, events=ev, confounds=confounds)
    eff = model.compute_contrast("painful", output_type="effect_size")
    # express the effect per unit of the modelled response's peak (the block plateau), so
    # that it reads as % signal change during painful stimulation
    peak = float(np.max(np.abs(model.design_matrices_[0]["painful"].to_numpy())))
    data = np.asarray(eff.get_fdata(), dtype=np.float64) * peak
    return ex.means(data)


def rest_connectivity(bold: Path) -> tuple[NDArray[np.float64], float | None, float]:
    """ROI-to-ROI Fisher-z connectivity of a resting-state run.

    Parameters
    ----------
    bold : Path
        Preprocessed resting run (fMRIPrep naming, confounds beside it).

    Returns
    -------
    z : ndarray (n_rois, n_rois)
        Fisher z of Pearson correlations (NaN diagonal and for empty ROIs).
    mean_fd : float or None
        Mean framewise displacement (mm) when the confounds list it.
    kept : float
        Volumes kept after the confound strategy's sample mask.
    """
    fmriprep = require("nilearn.interfaces.fmriprep")
    signal = require("nilearn.signal")
    connectome = require("nilearn.connectome")
    vol = read_volume(bold)
    ts = _extractor(vol).means(vol.data, vol.slope, vol.inter)
    confounds, sample_mask = fmriprep.load_confounds_strategy(
        str(bold), denoise_strategy=CONFOUND_STRATEGY
    )
    present = np.flatnonzero(np.isfinite(ts).all(axis=0))
    clean = signal.clean(
        ts[:, present],
        confounds=confounds,
        sample_mask=sample_mask,
        t_r=_tr(vol, bold),
        detrend=True,
        standardize="zscore_sample",
        standardize_confounds=True,
    )
    corr = connectome.ConnectivityMeasure(
        kind="correlation", standardize="zscore_sample"
    ).fit_transform([clean])[0]
    z = np.full((len(ROI_IDS), len(ROI_IDS)), np.nan)
    with np.errstate(divide="ignore"):
        z[np.ix_(present, present)] = np.arctanh(np.clip(corr, -0.999999, 0.999999))
    np.fill_diagonal(z, np.nan)
    fd = None
    conf_path = Path(str(bold).split("_space-")[0] + "_desc-confounds_timeseries.tsv")
    if conf_path.is_file():
        col = [r.get("framewise_displacement", "n/a") for r in read_tsv(conf_path)]
        vals = [float(c) for c in col if c not in ("n/a", "")]
        fd = float(np.mean(vals)) if vals else None
    kept = float(len(sample_mask)) if sample_mask is not None else float(ts.shape[0])
    return z, fd, kept
