"""Table rows (SQLAlchemy 2, typed). Rows are not domain objects: repositories map between them.

Primary keys are random UUIDs made in Python: they are unguessable in URLs, and bulk inserts need
no round trip to learn an id. Schema changes go through Alembic only
(``storage/migrations``); ``tests/storage/test_migrations.py`` checks the two agree.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from certmint.storage.types import JsonDocument, JsonText, UTCDateTime

__all__ = [
    "AchievementRow",
    "ApiTokenRow",
    "AuditEventRow",
    "Base",
    "BatchRow",
    "CertificateRow",
    "CourseRow",
    "EmailTemplateRow",
    "EnrolmentRow",
    "JobChunkRow",
    "JobRow",
    "LearnerRow",
    "NameCorrectionRow",
    "NotificationRow",
    "OrganisationRow",
    "SignInLinkRow",
    "SigningKeyRow",
    "StatusListEntryRow",
    "StatusListRow",
    "TemplateRow",
    "TemplateVersionRow",
    "UserRow",
    "UserSessionRow",
    "WebhookDeliveryRow",
    "WebhookRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JsonDocument,
        uuid.UUID: Uuid(),
    }


def _fk(target: str) -> Any:
    return ForeignKey(target, ondelete="RESTRICT")


class OrganisationRow(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        # At most one default organisation: it owns the bare did:web:<host> identity.
        Index(
            "uq_organisations_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(500), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The logo's media type (image/png or image/jpeg); empty while there is no logo.
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    # Branding of its pages and e-mails: two #rrggbb colours (empty: the instance's own).
    primary_colour: Mapped[str] = mapped_column(String(7), default="")
    accent_colour: Mapped[str] = mapped_column(String(7), default="")
    # The From address of its e-mails (empty: the instance's CERTMINT_MAIL_FROM).
    email_sender: Mapped[str] = mapped_column(String(320), default="")
    # Suspended by the operator: it issues nothing; its certificates still verify.
    suspended_at: Mapped[datetime | None]
    # Whether its verification pages say that the issuer is suspended.
    suspension_shown: Mapped[bool] = mapped_column(Boolean, default=False)


class SigningKeyRow(Base):
    __tablename__ = "signing_keys"
    __table_args__ = (
        # One active key per organisation; retired keys stay for verifying old credentials.
        Index(
            "uq_signing_keys_active",
            "organisation_id",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(200), unique=True)
    public_key_multibase: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class CourseRow(Base):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("organisation_id", "external_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))


class BatchRow(Base):
    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("course_id", "external_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    course_id: Mapped[uuid.UUID] = mapped_column(_fk("courses.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class LearnerRow(Base):
    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("organisation_id", "external_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(500))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EnrolmentRow(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("batch_id", "learner_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(_fk("batches.id"))
    learner_id: Mapped[uuid.UUID] = mapped_column(_fk("learners.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    completed_on: Mapped[date | None] = mapped_column(Date)
    # {assessment_id: [points, out_of]} as exact fractions ("145/2"). Results are always read
    # with their enrolment, for criteria evaluation in Python, and never queried on their own:
    # a JSON column halves the rows a bulk import writes.
    results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class TemplateRow(Base):
    __tablename__ = "templates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class TemplateVersionRow(Base):
    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    template_id: Mapped[uuid.UUID] = mapped_column(_fk("templates.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    svg: Mapped[str] = mapped_column(Text)
    design: Mapped[dict[str, Any] | None]
    content_hash: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class AchievementRow(Base):
    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("batch_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(_fk("batches.id"))
    template_version_id: Mapped[uuid.UUID] = mapped_column(_fk("template_versions.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[dict[str, Any]]
    # [{"name", "designation"}] for templates that print {{signatory.N.*}} placeholders.
    signatories: Mapped[list[dict[str, str]]] = mapped_column(JsonDocument, default=list)
    valid_for_days: Mapped[int | None] = mapped_column(Integer)
    auto_issue: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class CertificateRow(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number"),
        # One current certificate per (achievement, learner): every trigger is idempotent.
        # A superseded certificate steps aside for its replacement; a revoked one does not,
        # so revoking never invites an automatic re-award.
        Index(
            "uq_certificates_current",
            "achievement_id",
            "learner_id",
            unique=True,
            sqlite_where=text("status <> 'superseded'"),
            postgresql_where=text("status <> 'superseded'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    achievement_id: Mapped[uuid.UUID] = mapped_column(_fk("achievements.id"))
    learner_id: Mapped[uuid.UUID] = mapped_column(_fk("learners.id"), index=True)
    template_version_id: Mapped[uuid.UUID] = mapped_column(_fk("template_versions.id"))
    status: Mapped[str] = mapped_column(String(20))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonText)
    credential: Mapped[dict[str, Any]] = mapped_column(JsonText)
    issued_at: Mapped[datetime]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(_fk("certificates.id"))
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(_fk("certificates.id"))
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]


class VerificationCountRow(Base):
    """How often a certificate's page was opened: a number, nothing about who opened it."""

    __tablename__ = "verification_counts"

    certificate_id: Mapped[uuid.UUID] = mapped_column(_fk("certificates.id"), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class StatusListRow(Base):
    __tablename__ = "status_lists"
    __table_args__ = (UniqueConstraint("organisation_id", "purpose", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The signed credential verifiers are served, made whenever a bit changes (kept as written),
    # and the ``updated_at`` it was signed for.
    credential: Mapped[dict[str, Any] | None] = mapped_column(JsonText)
    signed_for: Mapped[datetime | None]


class StatusListEntryRow(Base):
    """A certificate's place in a status list; the primary key makes indexes collision-free.
    Without a certificate: the place of a credential issued through the VC-API (its bit is
    never set, and no certificate can be given its index)."""

    __tablename__ = "status_list_entries"
    __table_args__ = (UniqueConstraint("certificate_id", "status_list_id"),)

    status_list_id: Mapped[uuid.UUID] = mapped_column(_fk("status_lists.id"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(_fk("certificates.id"))


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # Every worker's sweep for quiet jobs reads only the unfinished ones, a handful among
        # every job an organisation ever ran.
        Index(
            "ix_jobs_unfinished",
            "kind",
            "created_at",
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class JobChunkRow(Base):
    """A chunk of a job (a keyset range of its items), claimed by one executor at a time.

    ``owner`` and ``lease_until`` are the claim; the counts are written in the transaction
    that did the chunk's work, together with ``status = 'done'``.
    """

    __tablename__ = "job_chunks"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    job_id: Mapped[uuid.UUID] = mapped_column(_fk("jobs.id"))
    seq: Mapped[int] = mapped_column(Integer)
    after_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    upto_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    considered: Mapped[int] = mapped_column(Integer, default=0)
    issued: Mapped[int] = mapped_column(Integer, default=0)
    already_held: Mapped[int] = mapped_column(Integer, default=0)
    not_eligible: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_organisation_id_at", "organisation_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    prefix: Mapped[str] = mapped_column(String(20))
    # SHA-256 of the secret: tokens carry 256 random bits, so a slow hash would add nothing.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # A course manager's courses (ids as strings); NULL for an admin token (every course).
    course_ids: Mapped[list[str] | None] = mapped_column(JsonDocument)
    # An operator token also manages the instance's organisations (default organisation only).
    operator: Mapped[bool] = mapped_column(Boolean, default=False)


class UserRow(Base):
    """A person who signs in. ``email_key`` is the case-folded address: unique per organisation."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("organisation_id", "email_key"),
        # A person's accounts in every organisation are found by their address.
        Index("ix_users_email_key", "email_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(30))
    # argon2id in PHC form; NULL until a password is set (a learner may sign in by e-mail link).
    password_hash: Mapped[str | None] = mapped_column(String(500))
    # A course manager's courses (ids as strings): read whole with the user, never queried alone.
    course_ids: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    learner_id: Mapped[uuid.UUID | None] = mapped_column(_fk("learners.id"), index=True)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    # The unguessable part of a learner's public profile URL; NULL while the profile is off.
    profile_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When the person proved the address is theirs (used a link that was e-mailed to it, or
    # was added by the instance's operator): only such accounts are one person across
    # organisations (switching, the learning profile).
    email_verified_at: Mapped[datetime | None]
    # An operator also manages the instance's organisations (default organisation only).
    operator: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInLinkRow(Base):
    """A one-time sign-in link sent by e-mail; only the SHA-256 of its token is kept."""

    __tablename__ = "sign_in_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(_fk("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # E-mailed to the address (using it proves the address), not handed over by an admin.
    mailed: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInThrottleRow(Base):
    """Failed sign-ins counted per e-mail address (whether or not it has an account) and per
    client. ``key`` is the SHA-256 of what is counted, so the table keeps no address."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class NameCorrectionRow(Base):
    """A learner's request to correct the printed name, and the admin's decision."""

    __tablename__ = "name_corrections"
    __table_args__ = (
        Index("ix_name_corrections_organisation_id_status", "organisation_id", "status"),
        # At most one open request per certificate.
        Index(
            "uq_name_corrections_pending",
            "certificate_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    certificate_id: Mapped[uuid.UUID] = mapped_column(_fk("certificates.id"))
    learner_id: Mapped[uuid.UUID] = mapped_column(_fk("learners.id"), index=True)
    requested_by: Mapped[uuid.UUID] = mapped_column(_fk("users.id"))
    current_name: Mapped[str] = mapped_column(String(500))
    requested_name: Mapped[str] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    new_certificate_id: Mapped[uuid.UUID | None] = mapped_column(_fk("certificates.id"))


class UserSessionRow(Base):
    """A signed-in browser; the cookie's token is kept only as its SHA-256."""

    __tablename__ = "user_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(_fk("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class NotificationRow(Base):
    """An e-mail to send (the transactional outbox): written with the certificate it is about,
    so it exists exactly when the certificate does; the unique key makes it exactly once.
    Account e-mails (sign-in links, invitations) have no certificate; an invitation names its
    user."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("certificate_id", "kind"),
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notifications_recipient_created_at", "recipient", "created_at"),
        # the retention purge of account e-mails, without reading every certificate's e-mail
        Index("ix_notifications_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(_fk("certificates.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(_fk("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class WebhookRow(Base):
    """An endpoint told about certificate events; ``secret`` signs each delivery (HMAC)."""

    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JsonDocument)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class WebhookDeliveryRow(Base):
    """One event for one webhook (an outbox row, written with the change it reports)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    webhook_id: Mapped[uuid.UUID] = mapped_column(_fk("webhooks.id"))
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class EmailTemplateRow(Base):
    """An organisation's own text for one kind of e-mail (Jinja2 source, checked when saved)."""

    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("organisation_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(_fk("organisations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
