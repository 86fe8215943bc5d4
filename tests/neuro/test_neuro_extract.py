"""Fast NIfTI reading and ROI extraction agree with nibabel and nilearn."""

from __future__ import annotations

import gzip
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from nilearn.maskers import NiftiLabelsMasker

from painmap.core.errors import ValidationFailure
from painmap.neuro.atlas import coarse_grid, roi_labels
from painmap.neuro.extract import ROIExtractor
from painmap.neuro.niftiio import read_volume
from painmap.neuro.rois import ROI_IDS


@pytest.fixture(scope="module")
def grid() -> tuple[tuple[int, int, int], np.ndarray, np.ndarray]:
    shape, affine = coarse_grid(6.0)
    return shape, affine, roi_labels(shape, affine)


def test_read_volume_matches_nibabel_with_scaling(tmp_path: Path, grid) -> None:  # type: ignore[no-untyped-def]
    shape, affine, _ = grid
    rng = np.random.default_rng(1)
    data = rng.integers(-300, 3000, (*shape, 5)).astype(np.int16)
    img = nib.Nifti1Image(data, affine)
    img.header.set_slope_inter(0.5, 10.0)
    path = tmp_path / "x.nii.gz"
    path.write_bytes(gzip.compress(img.to_bytes()))
    vol = read_volume(path)
    ref = nib.load(path)
    np.testing.assert_array_equal(vol.scaled(), ref.get_fdata())
    np.testing.assert_allclose(vol.affine, ref.affine)
    nib.save(img, tmp_path / "y.nii")
    np.testing.assert_array_equal(read_volume(tmp_path / "y.nii").scaled(), ref.get_fdata())
    with pytest.raises(ValidationFailure, match="file not found"):
        read_volume(tmp_path / "missing.nii.gz")


def test_extractor_equals_nilearn_labels_masker(tmp_path: Path, grid) -> None:  # type: ignore[no-untyped-def]
    shape, affine, labels = grid
    rng = np.random.default_rng(2)
    bold = rng.normal(1000, 50, (*shape, 12)).astype(np.float32)
    path = tmp_path / "bold.nii.gz"
    nib.save(nib.Nifti1Image(bold, affine), path)
    masker = NiftiLabelsMasker(nib.Nifti1Image(labels, affine), strategy="mean", standardize=None)
    ref = masker.fit_transform(str(path))
    vol = read_volume(path)
    ours = ROIExtractor(labels, len(ROI_IDS)).means(vol.data, vol.slope, vol.inter)
    assert ours.shape == (12, len(ROI_IDS))
    np.testing.assert_allclose(ours, ref, rtol=1e-5)
    gm = rng.uniform(0, 1, shape)
    sums = ROIExtractor(labels, len(ROI_IDS)).sums(gm)
    for k in range(len(ROI_IDS)):
        assert sums[k] == pytest.approx(gm[labels == k + 1].sum())


def test_extractor_rejects_wrong_grid(grid) -> None:  # type: ignore[no-untyped-def]
    _, _, labels = grid
    ex = ROIExtractor(labels, len(ROI_IDS))
    with pytest.raises(ValidationFailure, match="does not match"):
        ex.sums(np.zeros((3, 3, 3)))
    empty = ROIExtractor(np.zeros((2, 2, 2), dtype=np.int16), 3)
    assert np.isnan(empty.means(np.ones((2, 2, 2)))).all()


def test_missing_optional_dependency_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from painmap.neuro import _deps

    real = importlib.import_module

    def fake(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name.startswith("nilearn"):
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(_deps.importlib, "import_module", fake)
    with pytest.raises(_deps.MissingDependency, match=r"pip install 'painmap\[neuro\]'"):
        _deps.require("nilearn.glm.first_level")
    assert _deps.require("numpy") is np
