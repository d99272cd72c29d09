"""The one settings object, read once by each entry point and passed down.

Every ``CERTMINT_*`` environment variable is read here and nowhere else. The data directory may
hold a ``certmint.env`` file (written by ``certmint init``) with the instance's own values, such
as the base URL and a generated master secret; real environment variables win over that file,
so an operator can always override it.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "ENV_FILE_NAME",
    "PLACEHOLDER_SECRET",
    "Environment",
    "Settings",
    "load_settings",
    "write_env_file",
]

ENV_FILE_NAME = "certmint.env"
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder we refuse outside development


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
    def _refuse_placeholder_secret(self) -> Settings:
        if (
            self.environment is Environment.PRODUCTION
            and self.master_secret.get_secret_value() == PLACEHOLDER_SECRET
        ):
            raise ValueError(
                "CERTMINT_MASTER_SECRET is the placeholder; set a long random secret in production"
            )
        return self

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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("".join(f"{k}={v}\n" for k, v in sorted(merged.items())), encoding="utf-8")
