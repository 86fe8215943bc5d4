"""Alembic environment: runs painmap migrations on a given connection or URL.

painmap runs migrations itself (:func:`painmap.store.migrate.upgrade`), passing its
open connection in ``config.attributes["connection"]``. Run from the ``alembic`` command
line, the URL comes from ``sqlalchemy.url`` or ``$PAINMAP_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context

import painmap.store.audit
import painmap.store.tables  # noqa: F401  (registers the tables on Base.metadata)
from painmap.store.base import Base
from painmap.store.engine import make_engine, resolve_url

target_metadata = Base.metadata
config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(resolve_url(config.get_main_option("sqlalchemy.url")), create_dirs=True)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
