"""Validated questionnaires: definitions as data, exact scoring, meaningful change.

Definitions live in ``instruments/data/*.json`` (no copyrighted item text). Use
:func:`validate_answers` to check a response, :func:`score` to score one and
:func:`score_batch` to score a cohort as a numpy array.
"""

from painmap.instruments.batch import BatchScores, answers_to_row, batch_columns, score_batch
from painmap.instruments.definitions import (
    INSTRUMENT_IDS,
    InstrumentDefinition,
    definitions,
    get_definition,
)
from painmap.instruments.scoring import ScoreResult, score
from painmap.instruments.validation import normalize_answers, validate_answers

__all__ = [
    "INSTRUMENT_IDS",
    "BatchScores",
    "InstrumentDefinition",
    "ScoreResult",
    "answers_to_row",
    "batch_columns",
    "definitions",
    "get_definition",
    "normalize_answers",
    "score",
    "score_batch",
    "validate_answers",
]
