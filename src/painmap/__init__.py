"""painmap: mapping chronic back pain.

A small top-level API; subpackages hold the domain concepts:

- :mod:`painmap.core` -- shared enums, errors and date arithmetic (no I/O).
- :mod:`painmap.bodymap` -- body chart, regions, drawings and drawing metrics.
- :mod:`painmap.instruments` -- questionnaire definitions as data, and scoring.
- :mod:`painmap.record` -- the longitudinal clinical record (pydantic models).
- :mod:`painmap.generators` -- the cited knowledge base and pain-generator ranking.
- :mod:`painmap.store` -- SQLAlchemy persistence with Alembic migrations.
- :mod:`painmap.interop` -- NDJSON, CSV, Parquet and FHIR interchange.
- :mod:`painmap.neuro` -- group-level research neuroimaging.
- :mod:`painmap.web` -- the FastAPI application.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("painmap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
