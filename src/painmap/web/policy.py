"""The single access policy of the web app: who may read or write whose record.

- ``patient``: their own record only; may add pain drawings and questionnaires.
- ``clinician``: the patients in their care (:class:`CareAssignment`); may add every kind.
- ``researcher``: every patient, pseudonymised and read-only, plus the research export.
- ``admin``: accounts, care assignments and the audit log; reads every record, adds none.

Every route that touches a patient goes through :func:`can_read` or :func:`can_write`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Record kinds a patient may add themselves.
PATIENT_KINDS = frozenset({"pain_drawing", "instrument"})
#: Record kinds a clinician may add.
CLINICIAN_KINDS = frozenset(
    {"pain_drawing", "instrument", "exam", "imaging", "electrodiagnostic", "block", "treatment"}
)


@dataclass
class Principal:
    """The logged-in user of a request (plain values, detached from the database)."""

    user_id: int
    username: str
    role: str
    patient_id: str | None
    session_id: str
    csrf_token: str
    data: dict[str, Any] = field(default_factory=dict)
    #: For clinicians: the patients in their care, read with the session.
    care: frozenset[str] = frozenset()

    @property
    def pseudonymised(self) -> bool:
        """Whether this user sees research pseudonyms instead of patient ids."""
        return self.role == "researcher"


def can_read(who: Principal, patient_id: str) -> bool:
    """Whether ``who`` may read the record of ``patient_id``."""
    if who.role == "patient":
        return who.patient_id == patient_id
    if who.role == "clinician":
        return patient_id in who.care
    return who.role in ("researcher", "admin")


def can_write(who: Principal, patient_id: str, kind: str) -> bool:
    """Whether ``who`` may add a record of ``kind`` to ``patient_id``'s record."""
    if who.role == "patient":
        return who.patient_id == patient_id and kind in PATIENT_KINDS
    if who.role == "clinician":
        return kind in CLINICIAN_KINDS and patient_id in who.care
    return False


def visible_patient_ids(who: Principal) -> set[str] | None:
    """The patients ``who`` may list; None means all of them."""
    if who.role == "patient":
        return {who.patient_id} if who.patient_id else set()
    if who.role == "clinician":
        return set(who.care)
    return None
