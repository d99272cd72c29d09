"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from certmint import __version__
from certmint.bootstrap import Container
from certmint.web.api import dids, health, me, status_lists, vc_api
from certmint.web.deps import SignInRequired
from certmint.web.i18n import LanguageMiddleware, load_catalogues
from certmint.web.pages import admin, login, verify
from certmint.web.pages.admin.issuance import run_in_thread
from certmint.web.problems import install_problem_handlers
from certmint.web.templating import STATIC_DIR, make_templates

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"


def create_app(container: Container) -> FastAPI:
    """Build the app around an already bootstrapped container (settings, engine, sessions)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    app.state.run_in_background = run_in_thread
    install_problem_handlers(app)
    app.add_exception_handler(SignInRequired, login.sign_in_redirect)
    catalogues = load_catalogues()
    app.state.templates = make_templates(catalogues)
    app.add_middleware(LanguageMiddleware, languages=catalogues.languages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(dids.router)
    app.include_router(status_lists.router)
    app.include_router(verify.router)
    app.include_router(vc_api.router)
    app.include_router(admin.router)
    app.include_router(login.router)
    app.include_router(me.router, prefix=API_PREFIX)
    return app
