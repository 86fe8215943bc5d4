"""Import optional heavy dependencies with a clear error when one is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from painmap.core.errors import PainmapError


class MissingDependency(PainmapError):
    """An optional dependency of ``painmap.neuro`` is not installed."""


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependency` naming the extra to install.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"nilearn.glm.first_level"``.

    Returns
    -------
    module
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise MissingDependency(
            f"painmap.neuro needs {top!r} for this step: pip install 'painmap[neuro]' ({exc})"
        ) from exc
