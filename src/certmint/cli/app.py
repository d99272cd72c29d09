"""The root command and the instance commands: ``init``, ``serve``, ``demo``."""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
from contextlib import suppress
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from certmint import __version__
from certmint.cli import (
    achievements,
    certificates,
    exports,
    imports,
    keys,
    notifications,
    orgs,
    templates,
    tokens,
    users,
    verify,
    webhooks,
)
from certmint.cli.errors import CertmintGroup
from certmint.cli.state import State, fail, state
from certmint.cli.terminal import console, styled
from certmint.config import PLACEHOLDER_SECRET, Settings, write_env_file
from certmint.environment import EnvironmentProblem, Trouble
from certmint.services.demo import ensure_demo_accounts, load_demo_data
from certmint.services.instance import ensure_default_organisation
from certmint.services.issuers.keys import ensure_signing_key, prove_master_secret

__all__ = ["app", "main"]

app = typer.Typer(
    name="certmint",
    help="Certificates that are designed documents and signed Open Badges 3.0 credentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=CertmintGroup,  # every error of every command becomes a sentence and an exit code
)
app.add_typer(orgs.app, name="orgs")
app.add_typer(imports.app, name="import")
app.add_typer(keys.app, name="keys")
app.add_typer(templates.app, name="templates")
app.add_typer(achievements.app, name="achievements")
app.add_typer(certificates.app, name="certificates")
app.add_typer(tokens.app, name="tokens")
app.add_typer(users.app, name="users")
app.add_typer(notifications.app, name="notifications")
app.add_typer(webhooks.app, name="webhooks")
app.command("issue")(achievements.issue)
app.command("reissue")(certificates.reissue)
app.command("revoke")(certificates.revoke)
app.command("verify")(verify.verify)
app.command("export")(exports.export)

DEFAULT_ORG_NAME = "Certmint Demo Academy"


@app.command("worker")
def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Chunks run at once (processes; 1: this process).")
    ] = 1,
) -> None:
    """Run a Celery worker for CERTMINT_BROKER_URL: it executes the chunks of jobs that
    `certmint issue` queues. Start as many as the database can take, on any host."""
    from certmint.jobs import run_worker  # noqa: PLC0415 - Celery is an optional dependency

    st = state(ctx)
    if not st.settings.broker_url:
        fail(1, "set CERTMINT_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker")
    st.container()  # an initialised instance, or one sentence and its exit code
    st.close()  # each worker process opens its own container
    run_worker(st.settings, concurrency=concurrency, loglevel=st.settings.log_level)


def _print_version(value: bool) -> None:
    """``--version``: the installed package's version (its metadata), before any setting is read."""
    if value:
        typer.echo(f"certmint {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Configuration comes from CERTMINT_* variables and CERTMINT_HOME/certmint.env."""
    ctx.ensure_object(State)
    ctx.call_on_close(state(ctx).close)


@app.command()
def init(
    ctx: typer.Context,
    org_name: Annotated[
        str, typer.Option(help="Name of the default organisation.")
    ] = DEFAULT_ORG_NAME,
    base_url: Annotated[str | None, typer.Option(help="Public URL (QR codes, DIDs).")] = None,
) -> None:
    """Create the data directory, the database schema and the default organisation."""
    st = state(ctx)
    if base_url:  # checked with the other settings (production: https only) before any write
        st.overrides["base_url"] = base_url
    _initialise(st, org_name, base_url)


def _initialise(
    st: State, org_name: str, base_url: str | None, *, default_base_url: str | None = None
) -> None:
    """Record the instance's settings in its data directory (``base_url`` replaces the recorded
    base URL; ``default_base_url`` is recorded only when none is) and make its organisation.

    Settings are checked before anything is written, an existing instance's keys must open
    with the master secret before anything changes, and what a failed run created (the data
    directory, its env file, database, keys) is removed again: a failed ``init`` leaves
    nothing behind.
    """
    settings = st.settings
    created = _not_yet_there(settings)
    try:
        _prove_existing_keys(st)
        generated = (
            {"CERTMINT_MASTER_SECRET": secrets.token_urlsafe(32)}
            if settings.master_secret.get_secret_value() == PLACEHOLDER_SECRET
            else {}
        )
        write_env_file(
            settings.env_file,
            {"CERTMINT_BASE_URL": base_url} if base_url else {},
            defaults={"CERTMINT_BASE_URL": default_base_url or settings.base_url, **generated},
        )
        settings = st.reload()
        container = st.container(migrate=True)
        status = ensure_default_organisation(container.uow(), org_name)
        ensure_signing_key(
            container.uow(), container.key_store, status.organisation.id, actor="cli"
        )
    except BaseException:
        st.close()
        _remove(created)
        raise
    org = status.organisation
    console.print(f"Data directory: {settings.home.resolve()}")
    console.print(f"Database:       {container.engine.url.render_as_string(hide_password=True)}")
    console.print(f"Base URL:       {settings.base_url}")
    verb = "created" if status.created else "exists"
    console.print(f"Organisation:   {org.name} ({org.slug}, {org.id}) {verb}")
    console.print(f"Issuer DID:     {container.links.did(org)}")


def _not_yet_there(settings: Settings) -> list[Path]:
    """What ``init`` may create that does not exist yet (the data directory itself, if new)."""
    home = settings.home
    if not home.exists():
        return [home]
    candidates = [settings.env_file, home / "keys"]
    if not settings.database_url:
        database = home / "certmint.db"
        candidates += [database, *(database.with_name(database.name + s) for s in _SIDECARS)]
    return [path for path in candidates if not path.exists()]


_SIDECARS = ("-wal", "-shm", "-journal")


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with suppress(OSError):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)


def _prove_existing_keys(st: State) -> None:
    """On an initialised instance, open its active keys (``SigningKeyUnavailable`` if the
    master secret is not theirs) before ``init`` writes anything."""
    try:
        container = st.container()
    except EnvironmentProblem as problem:
        if problem.trouble is Trouble.NOT_INITIALISED:
            return
        raise
    prove_master_secret(container.uow(read_only=True), container.key_store)
    st.close()


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(help="PEM private key: serve HTTPS (with --ssl-certfile).")
    ] = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="PEM certificate chain for --ssl-keyfile.")
    ] = None,
) -> None:
    """Serve the web application and API (HTTPS with --ssl-keyfile and --ssl-certfile)."""
    _serve(state(ctx), host, port, _tls_files(ssl_keyfile, ssl_certfile))


def _tls_files(key_file: Path | None, cert_file: Path | None) -> tuple[Path, Path] | None:
    """Both files, checked now: uvicorn would otherwise fail on them with a traceback."""
    if key_file is None and cert_file is None:
        return None
    if key_file is None or cert_file is None:
        fail(2, "--ssl-keyfile and --ssl-certfile go together: give both to serve HTTPS")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as exc:
        fail(1, f"cannot serve HTTPS with {cert_file} and {key_file}: {exc.strerror or exc}")
    return key_file, cert_file


def _serve(st: State, host: str, port: int, tls: tuple[Path, Path] | None = None) -> None:
    """Run uvicorn; ``tls`` is (key file, certificate file) for HTTPS, which uvicorn reads."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from certmint.web.app import create_app  # noqa: PLC0415
    from certmint.web.startup import open_for_serving  # noqa: PLC0415

    st.close()
    # Initialised, writable, keys open: else one sentence and its exit code, before serving.
    container = open_for_serving(st.settings)
    base = _local_url(host, port, https=tls is not None)
    console.print(f"Serving on {base}  (health: {base}/healthz, API docs: {base}/api/v1/docs)")
    if _is_elsewhere_on_this_machine(st.settings.base_url, base):
        console.print(
            styled(
                ("warning:", "yellow"),
                f" QR codes, DIDs and status lists name {st.settings.base_url} "
                "(CERTMINT_BASE_URL), which this server does not answer: serve on that port, "
                "or put a proxy there.",
            )
        )
    key_file, cert_file = tls if tls else (None, None)
    uvicorn.run(
        create_app(container),
        host=host,
        port=port,
        log_level="info",
        ssl_keyfile=key_file,
        ssl_certfile=cert_file,
    )


def _local_url(host: str, port: int, *, https: bool = False) -> str:
    """The URL a browser on this machine uses for a server listening on ``host``."""
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    return f"{'https' if https else 'http'}://{reachable}:{port}"


def _is_elsewhere_on_this_machine(base_url: str, served: str) -> bool:
    """Whether ``base_url`` is a port on this machine other than the one serving ``served``."""
    base = urlsplit(base_url)
    loopback = base.hostname in ("127.0.0.1", "localhost", "::1")
    return loopback and (base.port or 80) != urlsplit(served).port


@app.command()
def demo(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after loading.")] = True,
) -> None:
    """Initialise, load demo data (idempotent) and serve."""
    st = state(ctx)
    # A first demo names the address it serves on, so that its QR codes open; a base URL set
    # in the environment, or recorded by an earlier run, stays (certificates already name it).
    explicit = "base_url" in st.settings.model_fields_set
    _initialise(
        st, DEFAULT_ORG_NAME, None, default_base_url=None if explicit else _local_url(host, port)
    )
    container = st.container()
    org = ensure_default_organisation(container.uow(), DEFAULT_ORG_NAME).organisation
    summary = load_demo_data(container.uow(), container.signing, org.id)
    accounts = ensure_demo_accounts(container.uow(), org.id)
    counts = summary.imported.counts()
    console.print(
        f"Demo data: {summary.imported.rows} enrolments "
        f"({counts['learners']['created']} learners and "
        f"{counts['courses']['created']} courses new), "
        f"{len(summary.certificates)} certificates"
    )
    for certificate_id in summary.certificates[:3]:
        console.print(f"  verify: {container.links.verification(certificate_id)}")
    console.print(f"Sign in at {container.links.login()} as:")
    for account in accounts:
        password = account.password or "(set earlier; `certmint users set-password` sets anew)"
        console.print(f"  {account.role:<8} {account.email}  password: {password}")
    if serve_:
        _serve(st, host, port)


def main() -> None:
    # Whatever the operator's umask, what this process creates is its user's only: the
    # modules that write files give modes of their own too, this covers the rest.
    os.umask(0o077)
    app()
