"""Password hashing (Argon2id, argon2-cffi) and the rules for user names and passwords."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from caseseries.errors import InputError

MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (salted; parameters kept in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash; an unknown user (None) costs the same time and fails."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_name(name: str) -> str:
    """A valid user name, or InputError naming the rule."""
    if not _NAME.match(name):
        raise InputError(
            f"user name {name!r} is not allowed; use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit",
            location="NAME",
        )
    return name


def check_password(password: str, name: str) -> str:
    """A password that follows the rules, or InputError naming the rule."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password is shorter than {MIN_PASSWORD} characters; choose a longer one")
    if password.strip().lower() == name.lower():
        raise InputError("the password is the user name; choose another")
    return password
