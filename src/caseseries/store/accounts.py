"""Accounts of the web app and the audit trail: users, login sessions, login failures, changes.

Tables: ``users`` (name, role, Argon2 password hash), ``web_sessions`` (only a SHA-256 of the
session token is stored; the cookie holds the token), ``login_failures`` (for rate limiting)
and ``audit_log`` (who changed which field of which entity, old -> new, via web or cli).

Passwords are hashed by the caller (:mod:`caseseries.app.passwords`); this module never sees a
plain password.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from caseseries.errors import InputError, NotFoundError
from caseseries.store.schema import Base, utcnow

if TYPE_CHECKING:
    from caseseries.store.repository import Store


class UserRole(StrEnum):
    """What a user may do: admins manage users and everything else, reviewers decide, viewers read."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"

    @property
    def can_write(self) -> bool:
        """Whether the role may change anything."""
        return self is not UserRole.VIEWER


class Via(StrEnum):
    """How a change arrived."""

    WEB = "web"
    CLI = "cli"


# ---------------------------------------------------------------------------------- tables


class UserRow(Base):
    """A person who may log in to the web app."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSessionRow(Base):
    """A login session; ``token_hash`` is the SHA-256 (hex) of the cookie's random token."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginFailureRow(Base):
    """One failed login attempt (name tried and client address), kept for rate limiting."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(Text, index=True)
    client: Mapped[str] = mapped_column(Text, index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuditRow(Base):
    """One change of one field of one entity; rows are only ever inserted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_key: Mapped[str] = mapped_column(Text, index=True)
    field: Mapped[str] = mapped_column(Text)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


# ---------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class User:
    """A user as the app sees it (never the password hash)."""

    id: int
    name: str
    role: UserRole
    created_at: datetime


@dataclass(frozen=True)
class LoginSession:
    """A valid login session: its user, CSRF token and expiry."""

    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Change:
    """One audited change."""

    entity: str
    key: str
    field: str
    old: str | None
    new: str | None
    actor: str
    via: Via
    changed_at: datetime


def _user(row: UserRow) -> User:
    return User(row.id, row.name, UserRole(row.role), row.created_at)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def audit_text(value: object) -> str | None:
    """How a value is kept in the audit log: None, a string as is, anything else as sorted JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


# ---------------------------------------------------------------------------------- the store


class Accounts:
    """Users, login sessions, login failures and the audit log of one database.

    Parameters
    ----------
    store : Store
        The case store (migrated to include the account tables).
    """

    def __init__(self, store: Store):
        self.store = store
        self._reads = sessionmaker(store.engine, expire_on_commit=False)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.store._translated(), self._reads.begin() as s:
            yield s

    # ------------------------------------------------------------------ users
    def add_user(self, name: str, role: UserRole, password_hash: str) -> User:
        """Create a user.

        Raises
        ------
        InputError
            If a user of that name exists.
        """
        with self.store.session() as s:
            if s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
                raise InputError(f"a user named {name!r} exists; choose another name", location="NAME")
            row = UserRow(name=name, role=role.value, password_hash=password_hash)
            s.add(row)
            s.flush()
            return _user(row)

    def _row(self, s: Session, name: str) -> UserRow:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise NotFoundError(f"no user named {name!r}; see 'caseseries users list'", location="NAME")
        return row

    def get_user(self, name: str) -> User | None:
        """The user of that name, or None."""
        with self._read() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            return _user(row) if row else None

    def password_hash(self, name: str) -> str | None:
        """The stored password hash of a user (None for an unknown name)."""
        with self._read() as s:
            return s.scalar(select(UserRow.password_hash).where(UserRow.name == name))

    def users(self) -> list[User]:
        """Every user, by name."""
        with self._read() as s:
            return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def count_users(self, role: UserRole | None = None) -> int:
        """How many users there are (of one role)."""
        with self._read() as s:
            q = select(func.count()).select_from(UserRow)
            if role is not None:
                q = q.where(UserRow.role == role.value)
            return int(s.scalar(q) or 0)

    def set_role(self, name: str, role: UserRole) -> UserRole:
        """Change a user's role; return the previous one.

        Raises
        ------
        NotFoundError
            For an unknown user.
        InputError
            If the change would leave no admin.
        """
        with self.store.session() as s:
            row = self._row(s, name)
            old = UserRole(row.role)
            if old is UserRole.ADMIN and role is not UserRole.ADMIN:
                self._keep_an_admin(s, name)
            row.role = role.value
            return old

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's password hash and end the user's sessions."""
        with self.store.session() as s:
            row = self._row(s, name)
            row.password_hash = password_hash
            row.password_changed_at = utcnow()
            s.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))

    def remove_user(self, name: str) -> None:
        """Delete a user and the user's sessions (audit entries keep the name).

        Raises
        ------
        InputError
            If it is the last admin.
        """
        with self.store.session() as s:
            row = self._row(s, name)
            if row.role == UserRole.ADMIN.value:
                self._keep_an_admin(s, name)
            s.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
            s.delete(row)

    @staticmethod
    def _keep_an_admin(s: Session, name: str) -> None:
        others = s.scalar(
            select(func.count()).select_from(UserRow).where(UserRow.role == UserRole.ADMIN.value, UserRow.name != name)
        )
        if not others:
            raise InputError(
                f"{name!r} is the only admin; make another user admin first (caseseries users set-role NAME admin)",
                location="NAME",
            )

    # ------------------------------------------------------------------ sessions
    def open_session(self, user_id: int, token_hash: str, csrf_token: str, lifetime: timedelta) -> datetime:
        """Store a new login session; return its expiry. Expired sessions are removed on the way."""
        now = utcnow()
        with self.store.session() as s:
            s.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
            expires = now + lifetime
            s.add(WebSessionRow(token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, expires_at=expires))
            return expires

    def find_session(self, token_hash: str) -> LoginSession | None:
        """The unexpired session of that token hash, with its user, or None."""
        with self._read() as s:
            found = s.execute(
                select(WebSessionRow, UserRow)
                .join(UserRow, UserRow.id == WebSessionRow.user_id)
                .where(WebSessionRow.token_hash == token_hash)
            ).first()
            if found is None:
                return None
            sess, user = found
            expires = _aware(sess.expires_at)
            if expires <= utcnow():
                return None
            return LoginSession(_user(user), sess.csrf_token, expires)

    def close_session(self, token_hash: str) -> None:
        """End a session (log out)."""
        with self.store.session() as s:
            s.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))

    # ------------------------------------------------------------------ login failures
    def record_login_failure(self, username: str, client: str) -> None:
        """Remember a failed login of ``username`` from ``client``."""
        with self.store.session() as s:
            s.add(LoginFailureRow(username=username, client=client))

    def login_failures(self, username: str, client: str, since: datetime) -> tuple[list[datetime], list[datetime]]:
        """Times of the failures since ``since``: (for that user name, from that client), oldest first."""
        with self._read() as s:
            recent = select(LoginFailureRow.failed_at).where(LoginFailureRow.failed_at >= since)
            by_user = s.scalars(recent.where(LoginFailureRow.username == username).order_by(LoginFailureRow.failed_at))
            by_user_times = [_aware(t) for t in by_user]
            by_client = s.scalars(recent.where(LoginFailureRow.client == client).order_by(LoginFailureRow.failed_at))
            return by_user_times, [_aware(t) for t in by_client]

    def forget_login_failures(self, before: datetime) -> None:
        """Remove failures older than ``before``."""
        with self.store.session() as s:
            s.execute(delete(LoginFailureRow).where(LoginFailureRow.failed_at < before))

    # ------------------------------------------------------------------ audit
    def record_change(
        self,
        *,
        entity: str,
        key: str,
        field: str,
        old: object,
        new: object,
        actor: str,
        via: Via = Via.WEB,
        session: Session | None = None,
    ) -> bool:
        """Add one audit entry (nothing when ``old`` and ``new`` are the same); return whether one was added.

        Parameters
        ----------
        entity : str
            What changed, e.g. ``patient``, ``user``, ``screening``.
        key : str
            Which one, e.g. the patient id or the publication key.
        field : str
            The field (a Case JSON path such as ``lines[0].best_response``).
        old, new : object
            Values before and after; strings are kept as they are, other values as JSON.
        actor : str
            The user name (or ``cli`` user) who made the change.
        via : Via
            ``web`` or ``cli``.
        session : Session or None
            A session of the change itself, so that the entry is written in the same transaction.
        """
        before, after = audit_text(old), audit_text(new)
        if before == after:
            return False
        row = AuditRow(
            entity=entity, entity_key=key, field=field, old_value=before, new_value=after, actor=actor, via=via.value
        )
        if session is not None:
            session.add(row)
            return True
        with self.store.session() as s:
            s.add(row)
        return True

    def changes_for(self, entity: str, key: str) -> list[Change]:
        """The audit entries of one entity, oldest first."""
        with self._read() as s:
            rows = s.scalars(
                select(AuditRow).where(AuditRow.entity == entity, AuditRow.entity_key == key).order_by(AuditRow.id)
            )
            return [
                Change(r.entity, r.entity_key, r.field, r.old_value, r.new_value, r.actor, Via(r.via), r.changed_at)
                for r in rows
            ]
