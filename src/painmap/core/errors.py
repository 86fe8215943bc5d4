"""Errors raised by painmap's domain layers.

Every error meant for a user names what was wrong (``field``) and, where it applies,
the values that would have been accepted (``allowed``). The CLI and the web layer turn
these into a one-line message or a 4xx response; neither shows a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class PainmapError(Exception):
    """Base class of every error painmap raises on purpose."""


class ValidationFailure(PainmapError, ValueError):
    """Input that does not satisfy a rule.

    Parameters
    ----------
    field : str
        Dotted path of the offending field, e.g. ``"records[2].answers[0]"``.
    message : str
        What was wrong.
    allowed : iterable of str, optional
        The accepted values or range, listed in the message.
    """

    def __init__(self, field: str, message: str, allowed: Iterable[object] | None = None) -> None:
        self.field = field
        self.allowed: list[str] | None = (
            [str(a) for a in allowed] if allowed is not None else None
        )
        text = f"{field}: {message}"
        if self.allowed is not None:
            text += f" (allowed: {', '.join(self.allowed)})"
        super().__init__(text)
        self.message = message
