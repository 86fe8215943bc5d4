"""Fixtures of the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_helpers import WebEnv, build_env

from painmap.web.core import security


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """Cheap argon2id parameters in tests (production ones are checked separately)."""
    security.set_hasher_parameters(1, 1024, 1)
    yield
    security.set_hasher_parameters(
        security.ARGON2_TIME_COST, security.ARGON2_MEMORY_KIB, security.ARGON2_PARALLELISM
    )


@pytest.fixture(scope="module")
def web_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    env = build_env(tmp_path_factory.mktemp("web"))
    yield env
    env.db.store.close()


@pytest.fixture
def fresh_env(tmp_path: Path) -> Iterator[WebEnv]:
    env = build_env(tmp_path)
    yield env
    env.db.store.close()


