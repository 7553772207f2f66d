"""Account use cases shared by ``caseseries users`` and the web app: each change is audited."""

from __future__ import annotations

from caseseries.errors import InputError
from caseseries.store.accounts import Accounts, User, UserRole, Via
from caseseries.web.passwords import check_name, check_password, hash_password

USER_ENTITY = "user"


def parse_role(value: str, location: str = "--role") -> UserRole:
    """The role named ``value``, or InputError listing the roles."""
    try:
        return UserRole(value.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in UserRole)
        raise InputError(f"unknown role {value!r}; allowed: {allowed}", location=location) from None


def add_user(accounts: Accounts, name: str, role: UserRole, password: str, *, actor: str, via: Via) -> User:
    """Create a user after checking the name and the password; audited as a change of ``role``."""
    check_password(password, check_name(name))
    user = accounts.add_user(name, role, hash_password(password))
    accounts.record_change(entity=USER_ENTITY, key=name, field="role", old=None, new=role.value, actor=actor, via=via)
    return user


def set_role(accounts: Accounts, name: str, role: UserRole, *, actor: str, via: Via) -> UserRole:
    """Change a user's role; return the previous one."""
    old = accounts.set_role(name, role)
    accounts.record_change(
        entity=USER_ENTITY, key=name, field="role", old=old.value, new=role.value, actor=actor, via=via
    )
    return old


def set_password(accounts: Accounts, name: str, password: str, *, actor: str, via: Via) -> None:
    """Replace a user's password (the user's sessions end); audited without the password."""
    check_password(password, name)
    accounts.set_password_hash(name, hash_password(password))
    accounts.record_change(
        entity=USER_ENTITY, key=name, field="password", old="(set)", new="(changed)", actor=actor, via=via
    )


def remove_user(accounts: Accounts, name: str, *, actor: str, via: Via) -> None:
    """Delete a user; the audit log keeps the name."""
    user = accounts.get_user(name)
    accounts.remove_user(name)
    old = user.role.value if user else None
    accounts.record_change(entity=USER_ENTITY, key=name, field="role", old=old, new=None, actor=actor, via=via)
