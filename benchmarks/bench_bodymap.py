"""Body-map benchmarks: vectorised paths beside straightforward pure-Python baselines.

Run: ``.venv/bin/python benchmarks/bench_bodymap.py [--quick]``

1. Metrics of 1M region-only drawings (sparse drawings x regions matrix times the
   region x scheme matrices) vs a per-drawing, per-region Python loop on a subsample.
2. Freehand raster-and-score (strokes -> canonical raster -> per-region fractions ->
   metrics) vs a per-pixel Python rasteriser (distance of every pixel centre of the stroke's
   bounding box to every segment) on a subsample.
3. Cohort heatmap of 100k freehand drawings vs the per-pixel Python rasteriser feeding
   per-pixel Python counters, on a subsample.

Baselines are extrapolated linearly from their subsample. Wall and CPU (process) times are
both printed: the machine is shared, so wall time includes waiting for the CPU.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: pin BLAS threads before numpy loads

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from painmap.bodymap.baseline import metrics_python, stroke_pixels_python  # noqa: E402
from painmap.bodymap.heatmap import heatmap  # noqa: E402
from painmap.bodymap.metrics import metrics_batch  # noqa: E402
from painmap.bodymap.pixels import DrawingBatch  # noqa: E402
from painmap.bodymap.raster import StrokeBatch, label_image, stroke_region_state  # noqa: E402
from painmap.bodymap.regions import REGION_IDS  # noqa: E402
from painmap.bodymap.synthetic import synthetic_marks_matrix, synthetic_stroke_batch  # noqa: E402


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def row(name: str, n: int, wall: float, cpu: float) -> None:
    print(f"  {name:<44} n={n:>9,}  wall {wall:8.3f} s  cpu {cpu:8.3f} s  "
          f"-> {n / max(wall, 1e-9):>12,.0f}/s wall, {n / max(cpu, 1e-9):>12,.0f}/s cpu")


def strokes_of(batch: StrokeBatch, d: int) -> list[tuple[str, list[tuple[float, float]], float]]:
    s0, s1 = np.searchsorted(batch.stroke_drawing, [d, d + 1])
    out = []
    for k in range(s0, s1):
        pts = [(float(x), float(y)) for x, y in
               batch.points[batch.stroke_start[k]:batch.stroke_start[k + 1]]]
        out.append(("front" if batch.stroke_view[k] == 0 else "back", pts,
                    float(batch.stroke_width[k])))
    return out


def bench_metrics(n: int, sub: int) -> None:
    print("\n1. metrics of region-only drawings (target: 1M in <= 2 s on one core)")
    x_marks = synthetic_marks_matrix(n, seed=1)
    print(f"  {n:,} drawings, {x_marks.nnz:,} marks")
    metrics_batch(x_marks[:1000])
    _, w, c = timed(lambda: metrics_batch(x_marks))
    row("vectorised metrics_batch", n, w, c)
    ptr, idx, val = x_marks.indptr, x_marks.indices, x_marks.data
    rows = [{REGION_IDS[j]: float(v) for j, v in
             zip(idx[ptr[i]:ptr[i + 1]], val[ptr[i]:ptr[i + 1]], strict=True)}
            for i in range(sub)]
    _, w2, c2 = timed(lambda: [metrics_python(r) for r in rows])
    row(f"Python baseline (subsample {sub:,})", sub, w2, c2)
    print(f"  baseline extrapolated to {n:,}: {w2 * n / sub:,.1f} s wall; "
          f"speed-up x{(w2 * n / sub) / w:,.0f} (wall), x{(c2 * n / sub) / c:,.0f} (cpu)")


def bench_raster(n: int, sub: int) -> None:
    print("\n2. freehand raster-and-score (target: >= 5,000 drawings/s)")
    b = synthetic_stroke_batch(n, seed=2)
    print(f"  {n:,} drawings, {b.stroke_drawing.shape[0]:,} strokes, "
          f"{b.points.shape[0]:,} points; raster {label_image().shape[2]} x "
          f"{label_image().shape[1]} px per view")
    stroke_region_state(b.select(0, 200))

    def fast() -> Any:
        cov, inten, wsum = stroke_region_state(b)
        return metrics_batch(inten, cov, wsum)

    _, w, c = timed(fast)
    row("vectorised raster + region fractions + metrics", n, w, c)

    def slow() -> None:
        lab = label_image()
        for d in range(sub):
            painted: set[int] = set()
            for view, pts, width in strokes_of(b, d):
                painted |= stroke_pixels_python(view, pts, width)
            counts: dict[int, int] = {}
            for px in painted:
                k = int(lab.body_label[px])
                counts[k] = counts.get(k, 0) + 1
            _ = {k: v / int(lab.region_pixels[k]) for k, v in counts.items()}

    _, w2, c2 = timed(slow)
    row(f"per-pixel Python baseline (subsample {sub})", sub, w2, c2)
    print(f"  speed-up x{(w2 / sub) / (w / n):,.0f} (wall), x{(c2 / sub) / (c / n):,.0f} (cpu)")


def bench_heatmap(n: int, sub: int) -> None:
    print(f"\n3. heatmap of {n:,} freehand drawings (target: 100k in <= 10 s)")
    b = synthetic_stroke_batch(n, seed=3)
    batch = DrawingBatch(b, sp.csr_matrix((n, len(REGION_IDS))))
    heatmap(batch.select(0, 100))
    groups = ["female" if i % 2 else "male" for i in range(n)]
    _, w, c = timed(lambda: heatmap(batch, groups))
    row("vectorised heatmap (2 groups)", n, w, c)

    def slow() -> None:
        nb = label_image().n_body
        count = [0] * nb
        isum = [0.0] * nb
        for d in range(sub):
            best: dict[int, float] = {}
            s0 = int(np.searchsorted(b.stroke_drawing, d))
            for k, (view, pts, width) in enumerate(strokes_of(b, d)):
                inten = float(b.stroke_intensity[s0 + k])
                for px in stroke_pixels_python(view, pts, width):
                    best[px] = max(best.get(px, 0.0), inten)
            for px, v in best.items():
                count[px] += 1
                isum[px] += v

    _, w2, c2 = timed(slow)
    row(f"per-pixel Python baseline (subsample {sub})", sub, w2, c2)
    print(f"  baseline extrapolated to {n:,}: {w2 * n / sub:,.0f} s wall; "
          f"speed-up x{(w2 / sub) / (w / n):,.0f} (wall), x{(c2 / sub) / (c / n):,.0f} (cpu)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = ap.parse_args()
    q = args.quick
    print(f"painmap body-map benchmark - {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}; single process")
    bench_metrics(100_000 if q else 1_000_000, 2_000 if q else 20_000)
    bench_raster(5_000 if q else 50_000, 10 if q else 30)
    bench_heatmap(10_000 if q else 100_000, 10 if q else 30)


if __name__ == "__main__":
    main()
