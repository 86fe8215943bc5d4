"""Pain-generator ranking: knowledge base, priors, odds-form Bayesian updating.

Use :func:`rank` for one patient (evidence JSON → cited, auditable ranking),
:func:`rank_batch` for cohorts, :func:`evidence_from_record` to rank a stored patient,
and :func:`load_kb` to read the knowledge base.
"""

from painmap.generators.evidence import BlockEvidence, Evidence, Finding, parse_evidence
from painmap.generators.knowledge import KnowledgeBase, load_kb
from painmap.generators.ranking import CandidateOut, RankResult, explain, rank

__all__ = [
    "BlockEvidence",
    "CandidateOut",
    "Evidence",
    "Finding",
    "KnowledgeBase",
    "RankResult",
    "explain",
    "load_kb",
    "parse_evidence",
    "rank",
]
