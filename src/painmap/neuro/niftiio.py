"""Fast reading of (gzipped) NIfTI-1 files straight into numpy.

The whole file is decompressed in one call (CPython's :func:`gzip.decompress` is a
single zlib pass) and the voxel array is a zero-copy view of the decompressed bytes.
The NIfTI-1 header is read as nibabel's structured ``header_dtype`` (sform affine,
scaling); qform-only headers go through nibabel's header class, and NIfTI-2 or other
formats fall back to ``nibabel.load``.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from painmap.core.errors import ValidationFailure
from painmap.neuro._deps import require


@dataclass
class Volume:
    """Voxel data with its geometry.

    Attributes
    ----------
    data : ndarray
        Raw stored values (apply ``slope``/``inter`` to get scaled values), in
        NIfTI (Fortran) voxel order; 3-D or 4-D.
    affine : ndarray
        4×4 voxel-to-world matrix.
    slope, inter : float
        Scaling of stored values: ``value = data * slope + inter``.
    zooms : tuple of float
        Voxel sizes (mm, and the repetition time for 4-D images when stored).
    """

    data: NDArray[np.generic]
    affine: NDArray[np.float64]
    slope: float
    inter: float
    zooms: tuple[float, ...]

    @property
    def voxel_volume(self) -> float:
        """Volume of one voxel in mm³."""
        return float(np.prod(self.zooms[:3]))

    def scaled(self) -> NDArray[np.float64]:
        """Return the scaled values as float64."""
        return np.asarray(self.data, dtype=np.float64) * self.slope + self.inter


def read_volume(path: str | Path) -> Volume:
    """Read a ``.nii`` or ``.nii.gz`` file.

    Parameters
    ----------
    path : str or Path
        The image.

    Returns
    -------
    Volume

    Raises
    ------
    ValidationFailure
        If the file is missing.
    """
    p = path if isinstance(path, Path) else Path(path)
    try:
        raw = p.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ValidationFailure("image", f"file not found: {p}") from None
    buf = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    del raw
    if len(buf) < 352 or int.from_bytes(buf[:4], "little") != 348:
        return _via_nibabel(p)
    nib = require("nibabel")
    hdr = np.frombuffer(buf, dtype=nib.nifti1.header_dtype, count=1)[0]
    ndim = int(hdr["dim"][0])
    if not 1 <= ndim <= 7 or int(hdr["sform_code"]) <= 0:
        return _via_header(nib, buf, p)
    shape = tuple(int(d) for d in hdr["dim"][1 : ndim + 1])
    dtype = np.dtype(nib.nifti1.data_type_codes.dtype[int(hdr["datatype"])]).newbyteorder("<")
    count = int(np.prod(shape))
    data = np.frombuffer(buf, dtype=dtype, count=count, offset=int(hdr["vox_offset"]))
    affine = np.eye(4)
    affine[0], affine[1], affine[2] = hdr["srow_x"], hdr["srow_y"], hdr["srow_z"]
    slope, inter = float(hdr["scl_slope"]), float(hdr["scl_inter"])
    if not np.isfinite(slope) or slope == 0.0:
        slope, inter = 1.0, 0.0
    elif not np.isfinite(inter):
        inter = 0.0
    return Volume(
        data=data.reshape(shape, order="F"),
        affine=affine,
        slope=slope,
        inter=inter,
        zooms=tuple(float(z) for z in hdr["pixdim"][1 : ndim + 1]),
    )


def _via_header(nib: Any, buf: bytes, path: Path) -> Volume:
    """Parse with nibabel's header (qform-only or unusual files)."""
    hdr = nib.Nifti1Header(binaryblock=buf[:348], check=False)
    shape = hdr.get_data_shape()
    count = int(np.prod(shape))
    data = np.frombuffer(
        buf, dtype=hdr.get_data_dtype(), count=count, offset=int(hdr["vox_offset"])
    )
    slope, inter = hdr.get_slope_inter()
    return Volume(
        data=data.reshape(shape, order="F"),
        affine=np.asarray(hdr.get_best_affine(), dtype=np.float64),
        slope=1.0 if slope is None else float(slope),
        inter=0.0 if inter is None else float(inter),
        zooms=tuple(float(z) for z in hdr.get_zooms()),
    )


def _via_nibabel(path: Path) -> Volume:
    nib = require("nibabel")
    img = nib.load(str(path))
    return Volume(
        data=np.asarray(img.get_fdata(dtype=np.float64)),
        affine=np.asarray(img.affine, dtype=np.float64),
        slope=1.0,
        inter=0.0,
        zooms=tuple(float(z) for z in img.header.get_zooms()),
    )
