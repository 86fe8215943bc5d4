"""ROI summaries of 3-D and 4-D images from an integer label image.

Voxels of each label are gathered once (sorted by label) and reduced with
:func:`numpy.add.reduceat`; only ROI voxels are converted to float, so the cost is
dominated by reading the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from painmap.core.errors import ValidationFailure
from painmap.neuro.niftiio import read_volume


class ROIExtractor:
    """Per-ROI sums and means over a fixed label image.

    Parameters
    ----------
    labels : ndarray of int, 3-D
        0 = background, 1..n_rois = ROI index (ROI ``k`` is label ``k + 1``).
    n_rois : int
        Number of ROIs; labels above it are ignored.
    """

    def __init__(self, labels: NDArray[np.integer], n_rois: int) -> None:
        if labels.ndim != 3:
            raise ValidationFailure("labels", f"expected a 3-D label image, got {labels.ndim}-D")
        self.shape = labels.shape
        self.n_rois = n_rois
        flat = np.asarray(labels).ravel(order="F").astype(np.int64)
        keep = np.flatnonzero((flat > 0) & (flat <= n_rois))
        lab = flat[keep] - 1
        order = np.argsort(lab, kind="stable")
        self.voxels = keep[order]
        sorted_lab = lab[order]
        self.counts = np.bincount(sorted_lab, minlength=n_rois).astype(np.int64)
        self.present = np.flatnonzero(self.counts > 0)
        self.starts = np.searchsorted(sorted_lab, self.present)

    def _check(self, shape: tuple[int, ...]) -> None:
        if tuple(shape[:3]) != tuple(self.shape):
            raise ValidationFailure(
                "image", f"grid {tuple(shape[:3])} does not match the ROI grid {self.shape}"
            )

    def sums(
        self, data: NDArray[np.generic], slope: float = 1.0, inter: float = 0.0
    ) -> NDArray[np.float64]:
        """Sum of scaled values per ROI.

        Parameters
        ----------
        data : ndarray, 3-D or 4-D (Fortran voxel order as read from NIfTI)
            Stored values.
        slope, inter : float
            Scaling: ``value = data * slope + inter``.

        Returns
        -------
        ndarray
            Shape ``(n_rois,)`` for 3-D data or ``(n_timepoints, n_rois)`` for 4-D;
            ROIs without voxels get NaN.
        """
        self._check(data.shape)
        nvox = int(np.prod(self.shape))
        if data.ndim == 3:
            flat = data.reshape(nvox, order="F")
            sub = flat[self.voxels].astype(np.float64)
            red = np.add.reduceat(sub, self.starts) if sub.size else np.zeros(0)
            out = np.full(self.n_rois, np.nan)
            out[self.present] = red * slope + inter * self.counts[self.present]
            return out
        if data.ndim == 4:
            frames = data.reshape(nvox, data.shape[3], order="F")
            sub = frames[self.voxels].astype(np.float64)
            out4 = np.full((data.shape[3], self.n_rois), np.nan)
            if sub.size:
                red4 = np.add.reduceat(sub, self.starts, axis=0)
                out4[:, self.present] = (red4 * slope + inter * self.counts[self.present, None]).T
            return out4
        raise ValidationFailure("image", f"expected a 3-D or 4-D image, got {data.ndim}-D")

    def means(
        self, data: NDArray[np.generic], slope: float = 1.0, inter: float = 0.0
    ) -> NDArray[np.float64]:
        """Mean of scaled values per ROI (same shapes as :meth:`sums`)."""
        s = self.sums(data, slope, inter)
        with np.errstate(invalid="ignore", divide="ignore"):
            return s / np.where(self.counts > 0, self.counts, np.nan)

    def file_means(self, path: str | Path) -> NDArray[np.float64]:
        """Read a NIfTI file and return its ROI means (see :meth:`means`).

        The decompressed buffer is released on return, before the next file is read,
        which keeps memory reuse (and the cost per file) close to decompression alone.
        """
        vol = read_volume(path)
        return self.means(vol.data, vol.slope, vol.inter)

    def file_sums(self, path: str | Path) -> tuple[NDArray[np.float64], float]:
        """Read a NIfTI file; return its ROI sums and the voxel volume (mm³)."""
        vol = read_volume(path)
        return self.sums(vol.data, vol.slope, vol.inter), vol.voxel_volume
