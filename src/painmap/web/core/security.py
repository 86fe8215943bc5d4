"""Password hashing (argon2id), session tokens and CSRF tokens.

Passwords: argon2id with t=2, m=32 MiB, p=1, above the ASVS 5.0 Appendix C minimum
(t=2, m=19 MiB, p=1) and sized for small clinic servers (one hash takes ~0.1-0.3 s on
two cores). Hashes made with other parameters are upgraded at the next successful
login. When a user does not exist the same verification runs against a dummy hash, so
the response takes as long for an unknown user as for a wrong password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from painmap.core.errors import ValidationFailure

#: Production argon2id parameters.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 32 * 1024
ARGON2_PARALLELISM = 1

_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)
_DUMMY_HASH = _HASHER.hash("painmap dummy password, never valid")


def set_hasher_parameters(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Change the argon2id parameters (tests use cheap ones; keep the defaults in use)."""
    global _HASHER, _DUMMY_HASH
    _HASHER = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
    )
    _DUMMY_HASH = _HASHER.hash("painmap dummy password, never valid")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128

#: Passwords refused whatever their length: the commonest long choices and patterns.
_COMMON = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789abc",
        "qwertyuiopas",
        "qwertyuiop123",
        "qwerty123456",
        "password1234",
        "password12345",
        "passwordpassword",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "administrator1",
        "changeme1234",
        "changethis123",
        "aaaaaaaaaaaa",
        "111111111111",
        "000000000000",
        "abcdefghijkl",
        "abc123abc123",
        "painmap12345",
        "painmappainmap",
    }
)


def check_password_policy(password: str, username: str | None = None) -> None:
    """Raise :class:`ValidationFailure` unless ``password`` may be used.

    Parameters
    ----------
    password : str
        Candidate password (any Unicode; no composition rules, ASVS 6.2.5).
    username : str, optional
        The account name, which the password may not contain.

    Raises
    ------
    painmap.core.errors.ValidationFailure
        When it is shorter than 12 or longer than 128 characters, is a common password
        or a single repeated character, or contains the user name.
    """
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailure(
            "password",
            f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long",
        )
    low = password.lower()
    if low in _COMMON or len(set(low)) <= 2:
        raise ValidationFailure("password", "is too common; choose a longer passphrase")
    if username and len(username) >= 3 and username.lower() in low:
        raise ValidationFailure("password", "must not contain the user name")


def hash_password(password: str) -> str:
    """Hash a password with argon2id (salted, encoded PHC string)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Check ``password`` against ``stored_hash`` in constant-ish time.

    Parameters
    ----------
    stored_hash : str or None
        The PHC string of the account, or None when the account does not exist; a
        dummy hash is then verified so both cases cost the same.
    password : str
        The password offered.

    Returns
    -------
    (bool, str or None)
        Whether it matched, and a new hash when the stored one should be upgraded.
    """
    target = stored_hash if stored_hash is not None else _DUMMY_HASH
    ok: bool
    try:
        ok = bool(_HASHER.verify(target, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or stored_hash is None:
        return False, None
    new_hash = hash_password(password) if _HASHER.check_needs_rehash(stored_hash) else None
    return True, new_hash


def new_token() -> str:
    """A fresh 256-bit URL-safe random token (session id or CSRF token)."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    """SHA-256 hex digest, used to store session tokens and attempt keys."""
    return hashlib.sha256(value.encode()).hexdigest()


def tokens_equal(a: str | None, b: str | None) -> bool:
    """Compare two tokens in constant time; False when either is missing."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def pseudonym(key: str, patient_id: str) -> str:
    """Research pseudonym of a patient: keyed HMAC-SHA256, shown as ``R-`` + 12 hex digits."""
    mac = hmac.new(key.encode(), patient_id.encode(), hashlib.sha256).hexdigest()
    return "R-" + mac[:12]
