"""Enumerations shared by the whole package: spinal levels, roots, sides, structures.

Every layer of painmap (body map, evidence, store, web) speaks in these terms, so a
level written ``"L4-L5"`` in an NDJSON file, a database row and a ranking candidate id
(``disc:L4-L5``) is always the same value.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    """Sex recorded for a patient (administrative, as in FHIR ``AdministrativeGender``)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Side(StrEnum):
    """Body side of a finding, structure or region."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"
    BILATERAL = "bilateral"


class SpinalLevel(StrEnum):
    """A lumbar motion segment (the disc and facet joints between two vertebrae)."""

    T12_L1 = "T12-L1"
    L1_L2 = "L1-L2"
    L2_L3 = "L2-L3"
    L3_L4 = "L3-L4"
    L4_L5 = "L4-L5"
    L5_S1 = "L5-S1"


class Root(StrEnum):
    """A lumbosacral spinal nerve root."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"
    S1 = "S1"
    S2 = "S2"


#: Levels ranked as pain-generator candidates (L1-L2 ... L5-S1), cranial to caudal.
LEVELS: tuple[SpinalLevel, ...] = (
    SpinalLevel.L1_L2,
    SpinalLevel.L2_L3,
    SpinalLevel.L3_L4,
    SpinalLevel.L4_L5,
    SpinalLevel.L5_S1,
)

#: Roots ranked as pain-generator candidates (L2 ... S1).
ROOTS: tuple[Root, ...] = (Root.L2, Root.L3, Root.L4, Root.L5, Root.S1)


class Structure(StrEnum):
    """A structure that can generate chronic back pain, or a differential."""

    DISC = "disc"
    FACET = "facet"
    NERVE_ROOT = "root"
    SIJ = "sij"
    MYOFASCIAL = "myofascial"
    NOCIPLASTIC = "nociplastic"
    HIP = "hip"
    OTHER = "other"


class Modality(StrEnum):
    """Imaging modality of a finding."""

    MRI = "mri"
    CT = "ct"
    XRAY = "xray"
    ULTRASOUND = "ultrasound"


class TreatmentType(StrEnum):
    """Treatment types followed by painmap."""

    PHYSIOTHERAPY = "physiotherapy"
    MEDICATION = "medication"
    RADIOFREQUENCY_ABLATION = "radiofrequency_ablation"
    EPIDURAL_STEROID = "epidural_steroid"
    ENDOSCOPIC_DISCECTOMY = "endoscopic_discectomy"
    ENDOSCOPIC_ANNULOPLASTY = "endoscopic_annuloplasty"
    STEM_CELL_MSC = "stem_cell_msc"
    PRP = "prp"
    FUSION = "fusion"
    OTHER = "other"


class FindingResult(StrEnum):
    """Result of a clinical test or the presence of a finding."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    PRESENT = "present"
    ABSENT = "absent"


class ImagingFinding(StrEnum):
    """An imaging finding at one spinal level (and side, where it has one)."""

    MODIC1 = "modic1"
    MODIC2 = "modic2"
    MODIC3 = "modic3"
    HIZ = "hiz"
    ANNULAR_FISSURE = "annular_fissure"
    DISC_DEGENERATION = "disc_degeneration"
    DISC_HEIGHT_LOSS = "disc_height_loss"
    DISC_BULGE = "disc_bulge"
    DISC_PROTRUSION = "disc_protrusion"
    DISC_EXTRUSION = "disc_extrusion"
    FACET_DEGENERATION = "facet_degeneration"
    FACET_EFFUSION = "facet_effusion"
    SPONDYLOLYSIS = "spondylolysis"
    SPONDYLOLISTHESIS = "spondylolisthesis"
    CENTRAL_STENOSIS = "central_stenosis"
    FORAMINAL_STENOSIS = "foraminal_stenosis"
    ROOT_COMPRESSION = "root_compression"


class ElectroTest(StrEnum):
    """Electrodiagnostic study type."""

    EMG = "emg"
    NCS = "ncs"


class ElectroFinding(StrEnum):
    """A needle-EMG or nerve-conduction finding."""

    NORMAL = "normal"
    FIBRILLATIONS = "fibrillations"
    POSITIVE_SHARP_WAVES = "positive_sharp_waves"
    REDUCED_RECRUITMENT = "reduced_recruitment"
    CHRONIC_REINNERVATION = "chronic_reinnervation"
    REDUCED_AMPLITUDE = "reduced_amplitude"
    PROLONGED_LATENCY = "prolonged_latency"
    ABSENT_H_REFLEX = "absent_h_reflex"


class BlockType(StrEnum):
    """Diagnostic block type."""

    MEDIAL_BRANCH = "medial_branch"
    SIJ_INTRAARTICULAR = "sij_intraarticular"
    SELECTIVE_NERVE_ROOT = "selective_nerve_root"
    DISCOGRAPHY = "discography"


class BlockDesign(StrEnum):
    """Design of a diagnostic block (how false positives are controlled)."""

    SINGLE = "single"
    COMPARATIVE = "comparative"
    PLACEBO_CONTROLLED = "placebo_controlled"
