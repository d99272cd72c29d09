"""The one settings object, read once by each entry point and passed down.

Every ``CERTMINT_*`` environment variable is read here and nowhere else. The data directory may
hold a ``certmint.env`` file (written by ``certmint init``) with the instance's own values, such
as the base URL and a generated master secret; real environment variables win over that file,
so an operator can always override it.
"""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "ENV_FILE_NAME",
    "MIN_SECRET_LENGTH",
    "PLACEHOLDER_SECRET",
    "ConfigurationError",
    "Environment",
    "Settings",
    "load_settings",
    "write_env_file",
]

ENV_FILE_NAME = "certmint.env"
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder we refuse outside development
MIN_SECRET_LENGTH = 16
# In production a secret must look generated: 32 characters or more, and varied (a repeated
# word or pattern has few distinct characters; 32 random hex digits have 16, base64 about 30).
MIN_PRODUCTION_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10


class ConfigurationError(ValueError):
    """A setting is missing or refused; the message names it and what to do."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Typed configuration; defaults give the embedded set-up (SQLite, files, in-process jobs)."""

    model_config = SettingsConfigDict(env_prefix="CERTMINT_", extra="ignore", frozen=True)

    home: Path = Field(default=Path("certmint-data"), description="Data directory.")
    environment: Environment = Environment.DEVELOPMENT
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means SQLite in the data directory.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of this instance: used in QR codes, DIDs and status list URLs.",
    )
    master_secret: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Encrypts private keys at rest.",
    )
    broker_url: str = Field(
        default="", description="Celery broker (redis://...); empty: in-process jobs."
    )
    job_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed chunk of a job stays its executor's; after that (the "
        "executor died) another one takes it over.",
    )
    smtp_url: str = Field(
        default="",
        description="smtp://user:password@host:port (STARTTLS when offered) or smtps://...; "
        "empty: e-mails wait in the outbox.",
    )
    mail_from: str = Field(default="certificates@localhost", description="Sender address.")
    mail_attach_pdf: bool = Field(default=True, description="Attach the certificate PDF.")
    account_mail_retention_days: int = Field(
        default=30,
        ge=1,
        description="Days a sent, skipped or given-up account e-mail (sign-in link, invitation) "
        "stays in the outbox, with its address; then it is deleted, with the sign-in links that "
        "expired as long ago.",
    )
    log_level: str = "INFO"
    verify_rate_per_minute: int = Field(
        default=120,
        ge=0,
        description="Verification requests (pages, /verify, certificate files) per client "
        "address per minute; 0 turns the limit off. DID documents and status lists are never "
        "limited.",
    )
    verify_rate_burst: int = Field(
        default=30, ge=1, description="Requests a client may make at once before the rate applies."
    )
    rate_limit_url: str = Field(
        default="",
        description="Redis (redis://...) holding the rate limit's buckets, shared by every web "
        "worker; empty: the broker's when it is Redis, else each process keeps its own.",
    )
    verify_upload_max_bytes: int = Field(
        default=5_000_000, ge=1, description="Largest file or pasted text /verify accepts."
    )
    verification_count_flush_seconds: float = Field(
        default=10.0, gt=0, description="How often verification counts are written."
    )
    outbound_allow_networks: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = Field(
        default=(),
        description="Networks (comma-separated, e.g. 127.0.0.0/8,10.1.0.0/16) that outbound "
        "requests (webhooks, DID documents, status lists) may reach although they are loopback, "
        "link-local, private or otherwise not public; empty: public addresses only.",
    )

    @field_validator("outbound_allow_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        """The environment gives one comma-separated string."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> Settings:
        problem = _unsafe_secret(self.master_secret.get_secret_value(), self.environment)
        production = self.environment is Environment.PRODUCTION
        if problem is None and production and urlsplit(self.base_url).scheme != "https":
            problem = (
                f"CERTMINT_BASE_URL must be an https:// URL in production (it is in every QR "
                f"code, DID and status list), not {self.base_url}"
            )
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def sealing_secret(self) -> bytes:
        """The master secret that seals private keys; raises ``ConfigurationError`` while it is
        the placeholder (allowed in development until a command needs the keys)."""
        secret = self.master_secret.get_secret_value()
        if secret == PLACEHOLDER_SECRET:
            raise ConfigurationError(
                f"CERTMINT_MASTER_SECRET is not set: `certmint init` generates one into "
                f"{self.env_file}, or set it to the secret the keys were sealed with"
            )
        return secret.encode()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'certmint.db').resolve()}"

    @property
    def effective_rate_limit_url(self) -> str:
        """Where the rate limit's buckets live: empty for each process's own memory."""
        if self.rate_limit_url:
            return self.rate_limit_url
        return self.broker_url if self.broker_url.startswith(("redis://", "rediss://")) else ""

    @property
    def env_file(self) -> Path:
        return self.home / ENV_FILE_NAME


def _unsafe_secret(secret: str, environment: Environment) -> str | None:
    """Why ``secret`` may not seal keys in ``environment``, or None. The placeholder passes in
    development (``--help`` and ``init`` need no secret); anything else must be long enough
    everywhere, and in production long and varied enough to have been generated."""
    if secret == PLACEHOLDER_SECRET:
        if environment is Environment.PRODUCTION:
            return (
                "CERTMINT_MASTER_SECRET is the placeholder; set a long random secret in production"
            )
        return None
    if len(secret) < MIN_SECRET_LENGTH:
        return (
            f"CERTMINT_MASTER_SECRET is too short: it seals the private keys and needs at least "
            f"{MIN_SECRET_LENGTH} characters ({MIN_PRODUCTION_SECRET_LENGTH} random ones in "
            f"production)"
        )
    if environment is Environment.PRODUCTION and (
        len(secret) < MIN_PRODUCTION_SECRET_LENGTH or len(set(secret)) < MIN_DISTINCT_CHARACTERS
    ):
        return (
            f"CERTMINT_MASTER_SECRET is too weak for production: use at least "
            f"{MIN_PRODUCTION_SECRET_LENGTH} random characters, e.g. the output of "
            f"`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return None


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, the data directory's env file, then ``overrides``.

    The data directory is found first (it says where the env file is), then everything else is
    read with the env file as a lower-priority source.
    """
    home = Path(overrides.get("home") or os.environ.get("CERTMINT_HOME") or "certmint-data")
    env_file = home / ENV_FILE_NAME
    return Settings(
        _env_file=env_file if env_file.is_file() else None,  # type: ignore[call-arg]
        **{"home": home, **overrides},
    )


def write_env_file(
    path: Path, values: dict[str, str], *, defaults: dict[str, str] | None = None
) -> None:
    """Write ``values`` into an env file (mode 0600), keeping its other lines.

    ``defaults`` are written only where the file has no value yet: ``certmint init`` uses this
    for the generated master secret, which must never be replaced once keys are encrypted
    under it.
    """
    existing: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and not name.lstrip().startswith("#"):
                existing[name.strip()] = value
    merged = {**(defaults or {}), **existing, **values}
    content = "".join(f"{k}={v}\n" for k, v in sorted(merged.items()))
    if path.is_file() and path.read_text(encoding="utf-8") == content:
        return  # nothing new: a full or read-only disk is no reason to fail
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Written beside and renamed over: a full disk or a crash leaves the old file whole (it
    # holds the master secret the keys are sealed with), never a truncated one.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
