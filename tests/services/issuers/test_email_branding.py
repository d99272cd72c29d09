"""An organisation's e-mails in its branding: each HTML part carries its own colours, logo and
name, never another organisation's; the plain-text part is the text as written."""

from __future__ import annotations

from email.message import EmailMessage
from uuid import uuid4

from certmint.domain.accounts import Principal, Role
from certmint.domain.organisations import Organisation
from certmint.services.issuers.email_branding import (
    DEFAULT_COLOUR,
    INSTANCE_BRAND,
    Button,
    MailBrand,
    branded_html,
    compose_email,
    mail_brand,
)
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import make_organisation

OPERATOR = Principal(uuid4(), Role.ADMIN, user_id=uuid4(), operator=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"ksb logo" * 8
JPEG = b"\xff\xd8\xff" + b"board logo" * 8
TEXT = "Dear Zoë <O'Brien>,\n\nSign in:\nhttps://certs.example.org/login/link/abc\n\nThanks.\n"
BUTTON = Button("https://certs.example.org/login/link/abc", "Sign in")


def _branded(
    uow: SqlAlchemyUnitOfWork, name: str, primary: str, accent: str, logo: bytes
) -> Organisation:
    organisation = make_organisation(uow, name)
    changes = OrganisationChanges(primary_colour=primary, accent_colour=accent, logo=logo)
    return change_organisation(uow, OPERATOR, organisation.slug, changes)


def _message(uow: SqlAlchemyUnitOfWork, organisation: Organisation | None) -> EmailMessage:
    with uow as tx:
        brand = mail_brand(tx, organisation)
    return compose_email(
        brand,
        sender="certs@x.org",
        sender_name=brand.name,
        recipient="zoe@example.org",
        subject="Sign in",
        text=TEXT,
        button=BUTTON,
    )


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _inline_images(message: EmailMessage) -> dict[str, bytes]:
    """The inline images by Content-ID (without its angle brackets)."""
    return {
        str(part["Content-ID"]).strip("<>"): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "image"
    }


def test_each_organisations_e_mail_carries_its_own_colours_logo_and_name(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    ksb = _branded(uow, "Kerala Skills Board", "#0B6E4F", "#B3261E", PNG)
    board = _branded(uow, "State Board", "#7a1f5c", "#1d4ed8", JPEG)
    mails = {ksb.slug: _message(uow, ksb), board.slug: _message(uow, board)}
    own = {
        ksb.slug: ("Kerala Skills Board", ("#0b6e4f", "#b3261e"), PNG, "image/png"),
        board.slug: ("State Board", ("#7a1f5c", "#1d4ed8"), JPEG, "image/jpeg"),
    }
    for slug, message in mails.items():
        name, colours, logo, logo_type = own[slug]
        (other,) = set(own) - {slug}
        html = _html(message)
        assert f"background:{colours[0]}" in html  # the band
        assert f"background:{colours[1]}" in html  # the button
        assert f">{name}</span>" in html
        assert not any(colour in html for colour in own[other][1])
        assert f">{own[other][0]}<" not in html
        ((cid, image),) = _inline_images(message).items()
        assert image == logo and image != own[other][2]
        assert f'src="cid:{cid}"' in html
        assert [p.get_content_type() for p in message.walk() if p.is_attachment()] == []
        assert logo_type in [p.get_content_type() for p in message.walk()]
        assert message.get_body(("plain",)).get_content() == TEXT  # type: ignore[union-attr]


def test_the_text_is_escaped_and_its_link_is_the_button(uow: SqlAlchemyUnitOfWork) -> None:
    html = _html(_message(uow, make_organisation(uow)))
    assert "Dear Zoë &lt;O&#39;Brien&gt;," in html and "<O'Brien>" not in html
    assert f'<a href="{BUTTON.url}" style="display:inline-block;' in html
    assert ">Sign in</a>" in html
    assert f"{BUTTON.url}</a></p>" in html  # the address too, for clients without buttons


def test_without_colours_or_logo_and_without_an_organisation_certmints_own(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    plain = make_organisation(uow, "Plain Academy")
    for organisation, name in ((plain, "Plain Academy"), (None, INSTANCE_BRAND.name)):
        message = _message(uow, organisation)
        html = _html(message)
        assert f"background:{DEFAULT_COLOUR}" in html and f">{name}</span>" in html
        assert _inline_images(message) == {} and "<img" not in html


def test_an_accent_of_its_own_falls_back_to_the_main_colour(uow: SqlAlchemyUnitOfWork) -> None:
    organisation = _branded(uow, "Only Primary", "#0b6e4f", "", PNG)
    with uow as tx:
        brand = mail_brand(tx, organisation)
    assert (brand.colour, brand.accent) == ("#0b6e4f", "#0b6e4f")


def test_text_on_a_light_colour_is_dark_and_links_stay_readable() -> None:
    light = MailBrand("Sunny", colour="#ffe066", accent="#fff3bf")
    html = branded_html(light, text=TEXT, button=BUTTON)
    assert "background:#ffe066;color:#111111" in html
    assert "background:#fff3bf;color:#111111" in html  # the button
    assert f'style="color:{DEFAULT_COLOUR}"' in html  # links on white: not the pale accent


def test_a_preview_shows_the_logo_inline() -> None:
    brand = MailBrand("Logo", logo=PNG, logo_type="image/png")
    html = branded_html(brand, text="Hello", html="<p>Own <b>HTML</b></p>")
    assert 'src="data:image/png;base64,' in html
    assert "<p>Own <b>HTML</b></p>" in html
