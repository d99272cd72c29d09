"""User accounts, their browser sessions, one-time sign-in links and public profile tokens."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from certmint.domain.accounts import Role, User, UserSession, normalise_email
from certmint.storage.tables import SignInLinkRow, UserRow, UserSessionRow

__all__ = ["SqlAlchemyUserRepository"]


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        organisation_id=row.organisation_id,
        email=row.email,
        display_name=row.display_name,
        role=Role(row.role),
        created_at=row.created_at,
        course_ids=frozenset(UUID(c) for c in row.course_ids),
        learner_id=row.learner_id,
        disabled_at=row.disabled_at,
        email_verified_at=row.email_verified_at,
        operator=row.operator,
    )


def _session(row: UserSessionRow) -> UserSession:
    return UserSession(
        id=row.id,
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
    )


class SqlAlchemyUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: User, password_hash: str | None) -> None:
        self._session.add(
            UserRow(
                id=user.id,
                organisation_id=user.organisation_id,
                email=user.email,
                email_key=normalise_email(user.email),
                display_name=user.display_name,
                role=user.role.value,
                password_hash=password_hash,
                course_ids=sorted(str(c) for c in user.course_ids),
                learner_id=user.learner_id,
                created_at=user.created_at,
                email_verified_at=user.email_verified_at,
                operator=user.operator,
            )
        )

    def get(self, organisation_id: UUID, user_id: UUID) -> User | None:
        row = self._session.get(UserRow, user_id)
        if row is None or row.organisation_id != organisation_id:
            return None
        return _user(row)

    def by_id(self, user_id: UUID) -> User | None:
        """A user in any organisation: only for a secret that already names one (a link)."""
        row = self._session.get(UserRow, user_id)
        return None if row is None else _user(row)

    def by_email(self, organisation_id: UUID, email: str) -> User | None:
        row = self._session.scalar(
            select(UserRow).where(
                UserRow.organisation_id == organisation_id,
                UserRow.email_key == normalise_email(email),
            )
        )
        return None if row is None else _user(row)

    def verified_by_email(self, email: str) -> list[User]:
        """The active accounts with this address, in every organisation, whose owner proved
        the address: one person's memberships. Ordered by when they were made."""
        rows = self._session.scalars(
            select(UserRow)
            .where(
                UserRow.email_key == normalise_email(email),
                UserRow.email_verified_at.is_not(None),
                UserRow.disabled_at.is_(None),
            )
            .order_by(UserRow.created_at)
        )
        return [_user(row) for row in rows]

    def password_hash(self, user_id: UUID) -> str | None:
        """The argon2id hash, or None while the user has no password."""
        return self._session.scalar(select(UserRow.password_hash).where(UserRow.id == user_id))

    def by_learner(self, organisation_id: UUID, learner_id: UUID) -> User | None:
        row = self._session.scalar(
            select(UserRow).where(
                UserRow.organisation_id == organisation_id, UserRow.learner_id == learner_id
            )
        )
        return None if row is None else _user(row)

    def profile_token(self, user_id: UUID) -> str | None:
        return self._session.scalar(select(UserRow.profile_token).where(UserRow.id == user_id))

    def by_profile_token(self, token: str) -> User | None:
        row = self._session.scalar(select(UserRow).where(UserRow.profile_token == token))
        return None if row is None else _user(row)

    def list(self, organisation_id: UUID) -> list[User]:
        rows = self._session.scalars(
            select(UserRow)
            .where(UserRow.organisation_id == organisation_id)
            .order_by(UserRow.email_key)
        )
        return [_user(row) for row in rows]

    def never_signed_in(
        self, organisation_id: UUID, user_ids: Collection[UUID] | None = None
    ) -> set[UUID]:
        """The active users (of ``user_ids``, when given) with no password who have never had a
        session: their invitation is still waiting to be taken up."""
        statement = select(UserRow.id).where(
            UserRow.organisation_id == organisation_id,
            UserRow.password_hash.is_(None),
            UserRow.disabled_at.is_(None),
            ~exists().where(UserSessionRow.user_id == UserRow.id),
        )
        if user_ids is not None:
            statement = statement.where(UserRow.id.in_(list(user_ids)))
        return set(self._session.scalars(statement))

    def update(self, user_id: UUID, **values: Any) -> None:
        """Set columns of one user (``password_hash``, ``disabled_at``, ``profile_token``,
        ``course_ids``)."""
        if "course_ids" in values:
            values["course_ids"] = sorted(str(c) for c in values["course_ids"])
        self._session.execute(update(UserRow).where(UserRow.id == user_id).values(**values))

    # Sessions

    def add_session(self, session: UserSession, token_hash: str) -> None:
        self._session.add(
            UserSessionRow(
                id=session.id,
                user_id=session.user_id,
                token_hash=token_hash,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                expires_at=session.expires_at,
            )
        )

    def session_by_token_hash(self, token_hash: str) -> tuple[UserSession, User] | None:
        found = self._session.execute(
            select(UserSessionRow, UserRow)
            .join(UserRow, UserRow.id == UserSessionRow.user_id)
            .where(UserSessionRow.token_hash == token_hash)
        ).one_or_none()
        return None if found is None else (_session(found[0]), _user(found[1]))

    def update_session(self, session_id: UUID, **values: datetime) -> None:
        self._session.execute(
            update(UserSessionRow).where(UserSessionRow.id == session_id).values(**values)
        )

    def end_sessions_of(
        self, user_id: UUID, at: datetime, *, keep_token_hash: str | None = None
    ) -> None:
        """End every open session of a user (disabled, or a new password), but the one with
        ``keep_token_hash`` (the person who changed their own password)."""
        statement = update(UserSessionRow).where(
            UserSessionRow.user_id == user_id, UserSessionRow.ended_at.is_(None)
        )
        if keep_token_hash is not None:
            statement = statement.where(UserSessionRow.token_hash != keep_token_hash)
        self._session.execute(statement.values(ended_at=at))

    # One-time sign-in links

    def add_link(
        self,
        user_id: UUID,
        token_hash: str,
        created_at: datetime,
        expires_at: datetime,
        *,
        mailed: bool,
    ) -> None:
        self._session.add(
            SignInLinkRow(
                user_id=user_id,
                token_hash=token_hash,
                created_at=created_at,
                expires_at=expires_at,
                mailed=mailed,
            )
        )

    def expire_links(self, user_id: UUID, now: datetime) -> None:
        """Make every unused link of a user stop working now."""
        self._session.execute(
            update(SignInLinkRow)
            .where(
                SignInLinkRow.user_id == user_id,
                SignInLinkRow.used_at.is_(None),
                SignInLinkRow.expires_at > now,
            )
            .values(expires_at=now)
        )

    def delete_links_expired_before(self, before: datetime) -> int:
        """Forget the links (used or not) that stopped working before then. Returns how many."""
        result = self._session.execute(
            delete(SignInLinkRow).where(SignInLinkRow.expires_at < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def use_link(self, token_hash: str, now: datetime) -> tuple[UUID, bool] | None:
        """Mark an unused, unexpired link used and return its user and whether it was e-mailed;
        None if there is none.

        One conditional UPDATE, so two clicks racing each other cannot both succeed."""
        row = self._session.scalar(
            select(SignInLinkRow).where(SignInLinkRow.token_hash == token_hash)
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        used = self._session.execute(
            update(SignInLinkRow)
            .where(SignInLinkRow.id == row.id, SignInLinkRow.used_at.is_(None))
            .values(used_at=now)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return row.user_id, row.mailed
