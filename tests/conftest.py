"""Suite-wide test settings.

- Tests never touch the user's real database: ``PAINMAP_DATABASE_URL`` points into a
  temporary directory for the whole session (tests that need their own database pass
  ``--database`` or build a URL from ``tmp_path``).
- matplotlib renders off-screen.
- Hypothesis runs a fixed, bounded profile so CI time is predictable.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="painmap-tests-"))
atexit.register(shutil.rmtree, _SESSION_DIR, ignore_errors=True)
os.environ["PAINMAP_DATABASE_URL"] = f"sqlite:///{_SESSION_DIR / 'default.db'}"
os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile(
    "painmap",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("painmap")
