"""Benchmark painmap.neuro: ROI extraction vs nilearn, vs decompression; cohort throughput.

Run: ``.venv/bin/python benchmarks/bench_neuro.py [--subjects N] [--repeat R]``

1. ROI extraction from gzipped NIfTI (4-D BOLD runs and 3-D GM probseg maps of a
   synthetic cohort): painmap's reader + :class:`ROIExtractor`, nilearn's
   ``NiftiLabelsMasker`` (same label image, ``strategy="mean"``, no cleaning), and the
   time just to decompress the same files (``gzip.decompress``). Same files, same run,
   best of ``--repeat``; outputs are checked to agree.
2. Cohort throughput of the participant level on a Dask LocalCluster with 1 and 2
   workers (synthetic cohort, 2 sessions, 6 mm grid).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
from nilearn.maskers import NiftiLabelsMasker

from painmap.neuro.atlas import roi_labels
from painmap.neuro.bidsio import discover
from painmap.neuro.extract import ROIExtractor
from painmap.neuro.niftiio import read_volume
from painmap.neuro.rois import ROI_IDS
from painmap.neuro.runner import run_participants
from painmap.neuro.simulate import SimulationConfig, simulate_cohort


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def extraction(root: Path, repeat: int) -> None:
    bold = sorted(root.rglob("*task-rest*_desc-preproc_bold.nii.gz"))
    prob = sorted(root.rglob("*label-GM_probseg.nii.gz"))
    first = read_volume(bold[0])
    labels = roi_labels(first.data.shape[:3], first.affine)
    ex = ROIExtractor(labels, len(ROI_IDS))
    labels_img = nib.Nifti1Image(labels, first.affine)
    masker = NiftiLabelsMasker(labels_img, strategy="mean", standardize=None).fit()
    # the 3-D maps are small: time 10 passes over them so the figures are stable
    for kind, files in (("4-D BOLD", bold), ("3-D probseg (10 passes)", prob * 10)):
        mb = sum(p.stat().st_size for p in files) / 1e6
        raw_mb = sum(len(gzip.decompress(p.read_bytes())) for p in files) / 1e6

        def decompress(files: list[Path] = files) -> None:
            for p in files:
                gzip.decompress(p.read_bytes())

        def ours(files: list[Path] = files) -> list[np.ndarray]:
            return [ex.file_means(p) for p in files]

        def theirs(files: list[Path] = files) -> list[np.ndarray]:
            return [np.asarray(masker.transform(str(p))) for p in files]

        a, b = ours(), theirs()
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x.reshape(y.shape), y, rtol=1e-4, atol=1e-6)
        # interleaved repeats, best of each: load drift on a shared machine hits all three
        runs: dict[str, list[tuple[float, float]]] = {"dec": [], "ours": [], "nil": []}
        for _ in range(repeat):
            for key, fn in (("dec", decompress), ("ours", ours), ("nil", theirs)):
                runs[key].append(timed(fn))
        t_dec, t_ours, t_nil = (min(w for w, _ in runs[k]) for k in ("dec", "ours", "nil"))
        c_dec, c_ours, c_nil = (min(c for _, c in runs[k]) for k in ("dec", "ours", "nil"))
        print(
            f"\n{kind}: {len(files)} files, {mb:.1f} MB gzipped, {raw_mb:.1f} MB raw, "
            f"grid {first.data.shape[:3]}"
            + (f" x {first.data.shape[3]} volumes" if kind.startswith("4") else "")
        )
        print("                                     wall ms   CPU ms")
        print(f"  decompress only (gzip.decompress)  {t_dec * 1e3:8.1f} {c_dec * 1e3:8.1f}")
        print(
            f"  painmap read + ROIExtractor        {t_ours * 1e3:8.1f} {c_ours * 1e3:8.1f}"
            f"   = {t_ours / t_dec:.2f} x decompression (wall), {c_ours / c_dec:.2f} x (CPU)"
        )
        print(
            f"  nilearn NiftiLabelsMasker          {t_nil * 1e3:8.1f} {c_nil * 1e3:8.1f}"
            f"   -> painmap {t_nil / t_ours:.1f} x faster (wall), {c_nil / c_ours:.1f} x (CPU)"
        )


def throughput(tmp: Path, subjects: int) -> None:
    bids = tmp / "cohort"
    half = subjects // 2
    t = time.perf_counter()
    simulate_cohort(
        bids, SimulationConfig(n_patients=half, n_controls=subjects - half, n_sessions=2, seed=11)
    )
    print(f"\nsimulated {subjects} participants x 2 sessions in {time.perf_counter() - t:.1f} s")
    jobs = discover(bids)
    # warm-up (imports, label-image cache) so both runs pay the same fixed costs
    run_participants(jobs[:1], tmp / "warm", workers=1)
    results: dict[tuple[int, bool], float] = {}
    for workers, procs in ((1, False), (2, False), (2, True)):
        out = tmp / f"out{workers}{'p' if procs else ''}"
        t = time.perf_counter()
        s = run_participants(jobs, out, workers=workers, processes=procs)
        dt = time.perf_counter() - t
        assert not s.failed and len(s.done) == len(jobs)
        results[(workers, procs)] = dt
        kind = "processes" if procs else "threads"
        print(
            f"  participant level, {workers} worker(s), {kind:9s}: {dt:6.1f} s = "
            f"{60 * len(jobs) / dt:5.1f} participants/min "
            f"({60 * 2 * len(jobs) / dt:5.1f} sessions/min)"
        )
    same = all(
        (tmp / "out1" / p.relative_to(tmp / other)).read_bytes() == p.read_bytes()
        for other in ("out2", "out2p")
        for p in (tmp / other).rglob("*.tsv")
    )
    one = results[(1, False)]
    print(
        f"  speed-up vs 1 worker: 2 threads {one / results[(2, False)]:.2f} x, "
        f"2 processes {one / results[(2, True)]:.2f} x (incl. start-up); "
        f"outputs identical: {same}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=6, help="cohort size for throughput")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--volumes", type=int, default=120, help="volumes per BOLD run")
    args = ap.parse_args()
    print(
        f"painmap neuro benchmark - {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, CPU only; load average {os.getloadavg()[0]:.1f}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="painmap-bench-neuro-"))
    try:
        ext = tmp / "extract"
        simulate_cohort(
            ext,
            SimulationConfig(
                n_patients=3,
                n_controls=3,
                n_sessions=1,
                seed=5,
                voxel_size=4.0,
                n_volumes=args.volumes,
            ),
        )
        extraction(ext, args.repeat)
        throughput(tmp, args.subjects)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
