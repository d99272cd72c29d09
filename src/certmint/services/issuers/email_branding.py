"""An organisation's e-mails in its branding: the HTML part has a band in its main colour with
its logo and name, and its accent colour on the button and links, around the body (the
template's own HTML, or else the plain text set as paragraphs). The plain-text part is sent as
it is written. Certificate e-mails (``services/notifications/mail.py``) and account e-mails
(``services/identity/sign_in_links.py``) are both put together here.

The logo travels inside the message, as an inline image referred to by its Content-ID
(``multipart/related``), not as a link to ``/orgs/<slug>/logo`` as the public pages show it.
Mail clients show an inline image straight away, while most hold back remote images until the
reader allows them (Outlook, Apple Mail's privacy protection, Thunderbird, many webmail
services); an inline image also needs no reachable instance (an intranet one, a development one
on http) and tells no one when the e-mail is opened. A logo is at most 512 KB
(``MAX_LOGO_BYTES``), little next to the PDF a certificate e-mail carries.

Colours are written into ``style`` attributes as they are: a ``Branding`` holds only
``#rrggbb`` (``domain.organisations.is_colour``). Everything else is escaped.
"""

from __future__ import annotations

import re
from base64 import b64encode
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from jinja2 import Environment
from markupsafe import Markup, escape

from certmint.domain.organisations import Organisation
from certmint.services.unit_of_work import OpenUnitOfWork

__all__ = [
    "DEFAULT_COLOUR",
    "INSTANCE_BRAND",
    "Button",
    "MailBrand",
    "branded_html",
    "compose_email",
    "mail_brand",
]

#: Certmint's own accent (``--accent`` in ``web/static/certmint.css``), for e-mails of an
#: organisation without colours of its own.
DEFAULT_COLOUR = "#1d3557"
# A web address in running text, without the full stop or bracket that may follow it.
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")


@dataclass(frozen=True, slots=True)
class MailBrand:
    """What an e-mail's HTML part shows of who sends it: a name, the band's colour, the
    button's colour and maybe a logo (its bytes and media type)."""

    name: str
    colour: str = DEFAULT_COLOUR
    accent: str = DEFAULT_COLOUR
    logo: bytes | None = None
    logo_type: str = ""


#: E-mails of the instance itself, tied to no organisation.
INSTANCE_BRAND = MailBrand("Certmint")


@dataclass(frozen=True, slots=True)
class Button:
    """The link an e-mail is about; where the text has it on a line of its own, the HTML part
    shows it as a button labelled ``label``, with the address under it."""

    url: str
    label: str


def mail_brand(tx: OpenUnitOfWork, organisation: Organisation | None) -> MailBrand:
    """The organisation's branding for its e-mails (Certmint's for ``None``): a missing accent
    colour is its main colour, a missing main colour Certmint's."""
    if organisation is None:
        return INSTANCE_BRAND
    branding = organisation.branding
    colour = branding.primary_colour or DEFAULT_COLOUR
    found = tx.organisations.logo(organisation.slug) if branding.logo_type else None
    logo, logo_type = found if found is not None else (None, "")
    return MailBrand(organisation.name, colour, branding.accent_colour or colour, logo, logo_type)


def _ink(background: str) -> str:
    """Text that reads on ``background`` (``#rrggbb``): white on dark colours, near-black on
    light ones (WCAG relative luminance, the cut where both contrasts are equal)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(background[i : i + 2], 16)) for i in (1, 3, 5))
    return "#ffffff" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.179 else "#111111"


_FRAME = Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
<title>{{ brand.name }}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" \
style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:{{ brand.colour }};color:{{ ink }};padding:16px 24px;\
font:600 18px/1.3 Arial,Helvetica,sans-serif">
{%- if logo_src %}<img src="{{ logo_src }}" alt="" height="40" \
style="height:40px;width:auto;vertical-align:middle;margin-right:12px;border:0">{% endif -%}
<span dir="auto" style="vertical-align:middle">{{ brand.name }}</span></td></tr>
<tr><td dir="auto" style="padding:24px;color:#1f2328;font:15px/1.55 Arial,Helvetica,sans-serif">
{{ body }}
</td></tr></table></td></tr></table>
</body></html>
"""
)


def _on_white(brand: MailBrand) -> str:
    """The colour of links on the white body: the accent, unless it is too light to read there
    (then the main colour, or Certmint's)."""
    return next(c for c in (brand.accent, brand.colour, DEFAULT_COLOUR) if _ink(c) == "#ffffff")


def _link(url: str, accent: str) -> Markup:
    return Markup('<a href="{0}" style="color:{1}">{0}</a>').format(url, accent)


def _linked(line: str, accent: str) -> Markup:
    """One line of text, escaped, with its web addresses as links."""
    out, start = Markup(), 0
    for found in _URL.finditer(line):
        out += escape(line[start : found.start()]) + _link(found.group(), accent)
        start = found.end()
    return out + escape(line[start:])


def _from_text(text: str, brand: MailBrand, button: Button | None) -> Markup:
    """The plain text as HTML paragraphs (its lines kept), a line that is just the button's
    address as the button."""
    parts = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines: list[Markup] = []
        for line in [*block.split("\n"), None]:  # None: the end of the paragraph
            if line is not None and (button is None or line.strip() != button.url):
                lines.append(_linked(line, _on_white(brand)))
                continue
            if lines:
                parts.append(_PARAGRAPH.format(Markup("<br>\n").join(lines)))
                lines = []
            if line is not None and button is not None:
                parts.append(_button(button, brand.accent, _on_white(brand)))
    return Markup("\n").join(parts)


_PARAGRAPH = Markup('<p style="margin:0 0 16px">{}</p>')


def _button(button: Button, accent: str, link: str) -> Markup:
    """The button in ``accent``, and the address under it (a link in ``link``) for clients
    that do not show the button."""
    return Markup(
        '<p style="margin:24px 0 8px"><a href="{0}" style="display:inline-block;'
        "background:{1};color:{2};padding:12px 20px;border-radius:6px;font-weight:600;"
        'text-decoration:none">{3}</a></p>'
        '<p style="margin:0 0 16px;font-size:13px;color:#57606a;word-break:break-all">{4}</p>'
    ).format(button.url, accent, _ink(accent), button.label, _link(button.url, link))


def branded_html(
    brand: MailBrand,
    *,
    text: str,
    html: str | None = None,
    button: Button | None = None,
    logo_src: str | None = None,
) -> str:
    """The HTML part: ``html`` (already rendered, and escaped where it took values) or else
    ``text`` in paragraphs, in ``brand``'s colours. ``logo_src`` is where the brand's logo is
    shown from: its ``cid:`` in a message; not given, a ``data:`` URL (a preview in a page,
    which has no message to refer to)."""
    if logo_src is None and brand.logo is not None:
        logo_src = f"data:{brand.logo_type};base64,{b64encode(brand.logo).decode('ascii')}"
    # ``html`` comes from the sandbox with autoescape on, which escaped every value it took.
    body = Markup(html) if html is not None else _from_text(text, brand, button)  # noqa: S704
    return _FRAME.render(brand=brand, ink=_ink(brand.colour), logo_src=logo_src, body=body)


def compose_email(
    brand: MailBrand,
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    subject: str,
    text: str,
    html: str | None = None,
    button: Button | None = None,
) -> EmailMessage:
    """The message: ``text`` as the plain-text part, the branded HTML as its alternative, and
    the logo, if any, as an inline image of the HTML part."""
    domain = sender.rpartition("@")[2] or None
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    logo_cid = make_msgid("logo", domain=domain) if brand.logo is not None else None
    message.add_alternative(
        branded_html(
            brand,
            text=text,
            html=html,
            button=button,
            logo_src=None if logo_cid is None else f"cid:{logo_cid[1:-1]}",
        ),
        subtype="html",
    )
    if brand.logo is not None and logo_cid is not None:
        html_part = message.get_body(("html",))
        assert html_part is not None  # added just above
        maintype, _, subtype = brand.logo_type.partition("/")
        html_part.add_related(brand.logo, maintype, subtype, cid=logo_cid, disposition="inline")
    return message
