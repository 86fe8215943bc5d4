"""Pain-generator ranking: knowledge base, priors, odds-form Bayesian updating.

Use :func:`rank` for one patient (evidence JSON → cited, auditable ranking),
:func:`rank_batch` for cohorts, :func:`evidence_from_record` to rank a stored patient,
and :func:`load_kb` to read the knowledge base.
"""

from painmap.generators.batch import COLUMNS, compile_cohort, posterior_matrix, rank_batch
from painmap.generators.evidence import BlockEvidence, Evidence, Finding, parse_evidence
from painmap.generators.knowledge import KnowledgeBase, load_kb
from painmap.generators.ranking import CandidateOut, RankResult, explain, rank, rank_record
from painmap.generators.record_adapter import evidence_from_record

__all__ = [
    "COLUMNS",
    "BlockEvidence",
    "CandidateOut",
    "Evidence",
    "Finding",
    "KnowledgeBase",
    "RankResult",
    "compile_cohort",
    "evidence_from_record",
    "explain",
    "load_kb",
    "parse_evidence",
    "posterior_matrix",
    "rank",
    "rank_batch",
    "rank_record",
]
