"""Validated questionnaires: definitions as data, exact scoring, meaningful change.

Definitions live in ``instruments/data/*.json`` (no copyrighted item text). Use
:func:`validate_answers` to check a response, :func:`score` to score one and
:func:`score_batch` to score a cohort as a numpy array.
"""

from painmap.instruments.batch import BatchScores, answers_to_row, batch_columns, score_batch
from painmap.instruments.change import ChangeResult, RuleOutcome, change
from painmap.instruments.content import (
    ContentPack,
    ItemText,
    build_content_pack,
    item_label,
    load_content_pack,
    option_label,
)
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
    "ChangeResult",
    "ContentPack",
    "InstrumentDefinition",
    "ItemText",
    "RuleOutcome",
    "ScoreResult",
    "answers_to_row",
    "batch_columns",
    "build_content_pack",
    "change",
    "definitions",
    "get_definition",
    "item_label",
    "load_content_pack",
    "normalize_answers",
    "option_label",
    "score",
    "score_batch",
    "validate_answers",
]
