"""Pain ROI definitions: fixed ids, atlas labels that exist, citations, label images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from painmap.core.errors import ValidationFailure
from painmap.neuro.atlas import coarse_grid, dk_table, roi_labels, template_gm_volumes
from painmap.neuro.freesurfer import read_subject
from painmap.neuro.rois import ROI_IDS, citations, dk_label_ids, get_roi, pain_rois

EXPECTED = [
    "dlpfc_left",
    "dlpfc_right",
    "insula_left",
    "insula_right",
    "acc",
    "mpfc",
    "thalamus_left",
    "thalamus_right",
    "s1_left",
    "s1_right",
    "m1_left",
    "m1_right",
    "nacc_left",
    "nacc_right",
]


def test_fixed_ids_in_order() -> None:
    assert list(ROI_IDS) == EXPECTED
    assert [r.id for r in pain_rois()] == EXPECTED
    with pytest.raises(ValidationFailure, match="unknown ROI"):
        get_roi("amygdala")


def test_every_roi_is_defined_on_the_dk_volume_and_cited() -> None:
    table = dk_table()
    ids = dk_label_ids(table)
    refs = citations()
    used: set[int] = set()
    for roi in pain_rois():
        assert ids[roi.id], roi.id
        expected_n = len(roi.dk_labels) * (2 if roi.hemisphere == "B" else 1)
        assert len(ids[roi.id]) == expected_n, roi.id
        assert not used & set(ids[roi.id]), "ROIs must not share DK labels"
        used |= set(ids[roi.id])
        assert roi.citations and all(c in refs for c in roi.citations)
        assert roi.aparc or roi.aseg


def test_freesurfer_names_exist_in_real_bert_stats(bert_dir: Path) -> None:
    s = read_subject(bert_dir)
    for roi in pain_rois():
        for hemi in roi.hemispheres:
            for name in roi.aparc:
                assert name in s["aparc"][hemi]["structures"], (roi.id, name)
        if roi.aseg:
            assert any(n in s["aseg"]["structures"] for n in roi.aseg), roi.id


def test_label_image_on_a_coarse_grid_keeps_every_roi() -> None:
    shape, affine = coarse_grid(6.0)
    labels = roi_labels(shape, affine)
    counts = np.bincount(labels.ravel(), minlength=len(ROI_IDS) + 1)[1:]
    assert (counts > 0).all()
    # left ROIs lie at negative x, right ROIs at positive x (RAS)
    for k, rid in enumerate(ROI_IDS):
        ijk = np.argwhere(labels == k + 1)
        x = (affine[:3, :3] @ ijk.T + affine[:3, 3:4])[0]
        if rid.endswith("_left"):
            assert x.mean() < 0, rid
        elif rid.endswith("_right"):
            assert x.mean() > 0, rid


def test_template_gm_volumes_are_plausible() -> None:
    vols = template_gm_volumes(6.0)
    assert set(vols) == set(ROI_IDS)
    # cortical ROIs are several cm³; the accumbens is the smallest
    assert min(vols, key=lambda k: vols[k]).startswith("nacc")
    assert 5_000 < vols["dlpfc_left"] < 60_000
