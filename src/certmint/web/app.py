"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles

from certmint import __version__
from certmint.bootstrap import Container, Scheduler
from certmint.config import load_settings
from certmint.web.account_mail import account_mail_work
from certmint.web.api import dids, health, me, status_lists, v1, vc_api
from certmint.web.deps import SignInRequired
from certmint.web.i18n import LanguageMiddleware, load_catalogues
from certmint.web.pages import (
    account,
    admin,
    corrections,
    learner,
    login,
    profiles,
    verify,
    verify_upload,
)
from certmint.web.problems import install_problem_handlers
from certmint.web.rate_limit import install_rate_limit
from certmint.web.read_only import ReadOnlySafeMethods
from certmint.web.security_headers import SecurityHeaders
from certmint.web.startup import exit_for_problem, open_for_serving
from certmint.web.templating import STATIC_DIR, make_templates

__all__ = ["API_PREFIX", "app_from_environment", "create_app"]

API_PREFIX = "/api/v1"


def create_app(container: Container) -> FastAPI:
    """Build the app around an already bootstrapped container (settings, engine, sessions)."""

    verifications = verify.Verifications()

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[None]:
        # The process's repeated work, one job at a time (adapters/scheduling.py).
        work = [
            verify.count_writer(verifications.counter, container),
            *account_mail_work(container),
        ]
        scheduler = asyncio.create_task(Scheduler(work).run())
        # What start-up loaded (contexts, templates, catalogues, mappers) lives as long as the
        # process: kept out of the collector's sight, a full collection no longer walks it
        # mid-request. Under load this took the verification page's p99 from about a second
        # to 50 ms (docs/performance.md). Unfrozen at shutdown so that it is freed as usual.
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        scheduler.cancel()
        with suppress(asyncio.CancelledError):
            await scheduler
        await run_in_threadpool(verifications.counter.flush, container.uow())
        if running.state.rate_limit is not None:
            await running.state.rate_limit.close()
        container.close()

    app = FastAPI(
        title="Certmint",
        version=__version__,
        summary="Certificates that are also signed Open Badges 3.0 credentials.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.verifications = verifications
    install_problem_handlers(app)
    app.add_exception_handler(SignInRequired, login.sign_in_redirect)
    settings = container.settings
    install_rate_limit(
        app,
        settings.verify_rate_per_minute,
        settings.verify_rate_burst,
        settings.effective_rate_limit_url,
    )
    catalogues = load_catalogues()
    app.state.catalogues = catalogues  # web.i18n.translate: handlers word messages too
    app.state.templates = make_templates(catalogues)
    app.add_middleware(LanguageMiddleware, languages=catalogues.languages)
    app.add_middleware(ReadOnlySafeMethods)
    app.add_middleware(SecurityHeaders, docs_path=f"{API_PREFIX}/docs")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(dids.router)
    app.include_router(status_lists.router)
    app.include_router(verify.router)
    app.include_router(verify_upload.router)
    app.include_router(vc_api.router)
    app.include_router(admin.router)
    app.include_router(login.router)
    app.include_router(learner.router)
    app.include_router(profiles.router)
    app.include_router(corrections.router)
    app.include_router(account.router)
    app.include_router(me.router, prefix=API_PREFIX)
    app.include_router(v1.router)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory certmint.web.app:app_from_environment`` (several workers: each
    process builds its own app from the same settings)."""
    os.umask(0o077)  # what the server creates is private, whatever the operator's umask
    settings = None
    try:
        settings = load_settings()
        container = open_for_serving(settings)
    except Exception as exc:  # exit_for_problem raises again what is no environment problem
        exit_for_problem(exc, settings)
    return create_app(container)
