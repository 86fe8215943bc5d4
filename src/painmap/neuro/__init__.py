"""Group-level research neuroimaging of chronic back pain.

``painmap.neuro`` turns a BIDS dataset (raw plus fMRIPrep-style and FreeSurfer
derivatives) into pain-ROI measures per subject and session, and into group-level
statistics: patients versus controls, longitudinal change, and the correlation of change
with change in self-reported pain.

Research use only. Nothing here labels an individual's pain: imaging is not a pain
detector (IASP task force, Davis et al. 2017) and self-report remains the primary
measure of pain. Heavy dependencies (nibabel, nilearn, pybids, statsmodels, dask) are
imported by the modules that use them, so ``import painmap.neuro`` stays light.
"""

from painmap.neuro.freesurfer import parse_stats, read_subject, roi_table
from painmap.neuro.rois import ROI_IDS, PainROI, get_roi, pain_rois

__all__ = [
    "ROI_IDS",
    "PainROI",
    "get_roi",
    "pain_rois",
    "parse_stats",
    "read_subject",
    "roi_table",
]
