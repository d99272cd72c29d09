"""Organisations (the instance's operator only): every tenant with its status; add one, and on
its page rename it, brand it (colours, logo, e-mail sender), suspend or reinstate it, and invite
its admins. ``services.issuers.organisations`` checks, saves and audit-logs; these pages reach
nothing inside an organisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.accounts import Principal, Role
from certmint.services.authorization import operator_in
from certmint.services.errors import Conflict, InvalidInput
from certmint.services.identity.sign_in_links import hand_over_link, invite_user
from certmint.services.issuers.organisations import (
    OrganisationChanges,
    add_organisation,
    change_organisation,
    list_organisations,
    organisation_overview,
)
from certmint.web.account_mail import deliver_account_mail
from certmint.web.deps import ContainerDep, PageOperatorDep
from certmint.web.pages.admin.common import FormDep, field, problems_of, redirect, render, upload

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_organisations"
# What a page says after a change (a fixed key in the URL, never text from the request).
DONE = ("added", "saved", "invited")


def _list_page(
    request: Request,
    principal: Principal,
    container: ContainerDep,
    *,
    problems: Sequence[object] = (),
    form: FormData | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organisations.html",
        {
            "organisations": list_organisations(container.uow(), principal),
            "problems": problems,
            "form": form,
        },
        section=SECTION,
        status_code=status_code,
    )


def _organisation_page(
    request: Request,
    principal: Principal,
    container: ContainerDep,
    slug: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> Response:
    overview = organisation_overview(container.uow(), principal, slug)
    done = request.query_params.get("done", "")
    context = {
        "overview": overview,
        "org": overview.organisation,
        "did": container.links.did(overview.organisation),
        "mail": container.mailer is not None,
        "done": done if done in DONE else "",
        "problems": (),
        "link": "",
        **values,
    }
    return render(request, "organisation.html", context, section=SECTION, status_code=status_code)


@router.get("/organisations", name=SECTION)
def organisations_page(
    request: Request, principal: PageOperatorDep, container: ContainerDep
) -> Response:
    return _list_page(request, principal, container)


@router.post("/organisations", name="admin_organisation_add")
def add(
    request: Request, *, principal: PageOperatorDep, container: ContainerDep, form: FormDep
) -> Response:
    """A new organisation with its signing key; its page follows, to invite its admins."""
    try:
        organisation = add_organisation(
            container.uow(),
            container.signing.key_store,
            principal,
            field(form, "name"),
            slug=field(form, "slug").strip() or None,
            url=field(form, "url"),
        )
    except (InvalidInput, Conflict) as exc:
        return _list_page(
            request, principal, container, problems=problems_of(exc), form=form, status_code=422
        )
    return redirect(request, "admin_organisation", done="added", slug=organisation.slug)


@router.get("/organisations/{slug}", name="admin_organisation")
def organisation_page(
    slug: str, request: Request, principal: PageOperatorDep, container: ContainerDep
) -> Response:
    return _organisation_page(request, principal, container, slug)


def _tick(form: FormData, name: str) -> bool:
    return field(form, name) in ("1", "on", "true")


@router.post("/organisations/{slug}", name="admin_organisation_save")
def save(
    slug: str,
    request: Request,
    *,
    principal: PageOperatorDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Name, website, colours, e-mail sender, logo and suspension, as the form says."""
    logo = b"" if _tick(form, "remove_logo") else upload(form, "logo")
    changes = OrganisationChanges(
        name=field(form, "name"),
        url=field(form, "url"),
        primary_colour=field(form, "primary_colour"),
        accent_colour=field(form, "accent_colour"),
        email_sender=field(form, "email_sender"),
        logo=logo,
        suspended=_tick(form, "suspended"),
        suspension_shown=_tick(form, "suspension_shown"),
    )
    try:
        change_organisation(container.uow(), principal, slug, changes)
    except InvalidInput as exc:
        return _organisation_page(
            request, principal, container, slug, problems=exc.problems, status_code=422
        )
    return redirect(request, "admin_organisation", done="saved", slug=slug)


@router.post("/organisations/{slug}/admins", name="admin_organisation_invite")
def invite_admin(
    slug: str,
    request: Request,
    background: BackgroundTasks,
    *,
    principal: PageOperatorDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """An admin for the organisation: invited by e-mail, or (with no mail server) a sign-in
    link shown once for the operator to hand over."""
    organisation = organisation_overview(container.uow(), principal, slug).organisation
    send = container.mailer is not None
    try:
        user = invite_user(
            container.uow(),
            operator_in(principal, organisation.id),
            email=field(form, "email"),
            display_name=field(form, "display_name"),
            role=Role.ADMIN,
            send=send,
        )
    except (InvalidInput, Conflict) as exc:
        return _organisation_page(
            request, principal, container, slug, problems=problems_of(exc), status_code=422
        )
    if send:
        background.add_task(deliver_account_mail, container)
        return redirect(request, "admin_organisation", done="invited", slug=slug)
    link = hand_over_link(
        container.uow(),
        organisation.id,
        user.id,
        links=container.links,
        actor=principal.actor,
    )
    return _organisation_page(request, principal, container, slug, link=link)
