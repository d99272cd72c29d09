"""E-mail templates per organisation: checks on save, sandboxed rendering, defaults, audit;
and what arrives at a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.domain.email_templates import DEFAULTS, PLACEHOLDERS, SAMPLE_VALUES, EmailTemplate
from certmint.domain.notifications import NotificationKind
from certmint.services.errors import Forbidden, InvalidInput, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.services.issuers.signing import Signing
from certmint.services.notifications.email_templates import (
    email_template,
    preview_email_template,
    render_email,
    reset_email_template,
    set_email_template,
)
from certmint.storage.tables import AuditEventRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import Inbox
from tests.factories import enrolment_row, make_organisation, scenario
from tests.services.notifications.test_notifications import _send

ISSUED = NotificationKind.ISSUED
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
OWN = EmailTemplate(
    subject="{{ learner_name }}, your {{ achievement }} certificate from {{ organisation }}",
    text="Hello {{ learner_name }}!\n\n{{ course }} ({{ batch }}), no. {{ certificate_number }},"
    " {{ issue_date }}.\nCheck it: {{ verification_url }}\n",
    html="<p>Hello <b>{{ learner_name }}</b>!</p>"
    '<p><a href="{{ verification_url }}">{{ certificate_number }}</a></p>',
)


def _refused(
    uow: SqlAlchemyUnitOfWork, organisation_id: uuid.UUID, template: EmailTemplate
) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        set_email_template(uow, Principal.at_shell(organisation_id), ISSUED, template)
    return [str(p) for p in refused.value.problems]


def test_default_text_until_the_organisation_sets_its_own(
    uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    organisation = make_organisation(uow)
    assert email_template(uow, organisation.id, ISSUED) == (DEFAULTS[ISSUED], False)
    saved = set_email_template(uow, Principal.at_shell(organisation.id), ISSUED, OWN)
    assert email_template(uow, organisation.id, ISSUED) == (saved, True)
    assert email_template(uow, organisation.id, NotificationKind.REISSUED)[1] is False
    preview = preview_email_template(uow, organisation.id, ISSUED)
    assert preview.subject == "Aïda Núñez-Ngũgĩ, your Completion certificate from Example Institute"
    assert SAMPLE_VALUES["verification_url"] in preview.text
    assert preview.html is not None and "<b>Aïda Núñez-Ngũgĩ</b>" in preview.html
    assert reset_email_template(uow, Principal.at_shell(organisation.id), ISSUED)
    assert not reset_email_template(uow, Principal.at_shell(organisation.id), ISSUED)
    assert email_template(uow, organisation.id, ISSUED) == (DEFAULTS[ISSUED], False)
    events = session.execute(
        select(AuditEventRow.action, AuditEventRow.actor).where(
            AuditEventRow.subject_type == "email_template"
        )
    ).all()
    assert sorted(events) == [("email_template.reset", "cli"), ("email_template.set", "cli")]


def test_only_admins_change_the_texts(uow: SqlAlchemyUnitOfWork) -> None:
    """The use case asks the policy, whoever calls it: a course manager is refused."""
    organisation = make_organisation(uow)
    manager = Principal(organisation.id, Role.COURSE_MANAGER, frozenset(), user_id=uuid.uuid4())
    with pytest.raises(Forbidden):
        set_email_template(uow, manager, ISSUED, OWN)
    with pytest.raises(Forbidden):
        reset_email_template(uow, manager, ISSUED)
    assert email_template(uow, organisation.id, ISSUED) == (DEFAULTS[ISSUED], False)


def test_every_default_passes_its_own_checks() -> None:
    for template in DEFAULTS.values():
        rendered = render_email(template, SAMPLE_VALUES)
        assert "{" not in rendered.subject + rendered.text
    assert set(SAMPLE_VALUES) == set(PLACEHOLDERS)


def test_syntax_errors_and_unknown_placeholders_name_the_line(uow: SqlAlchemyUnitOfWork) -> None:
    organisation = make_organisation(uow)
    problems = _refused(
        uow, organisation.id, EmailTemplate("Hi", "Dear {{ learner_name }},\n{% if %}\n")
    )
    assert len(problems) == 1 and problems[0].startswith("text: line 2: ")
    problems = _refused(
        uow, organisation.id, EmailTemplate("Hi {{ name }}", "line 1\nline 2 {{ password }}", "")
    )
    assert problems[0].startswith("subject: line 1: unknown placeholder 'name'")
    assert problems[1].startswith("text: line 2: unknown placeholder 'password'")
    problems = _refused(uow, organisation.id, EmailTemplate(" ", " ", "<p>{{ x }</p>"))
    assert problems[:2] == ["subject: must not be empty", "text: must not be empty"]
    assert problems[2].startswith("html: line 1: ")
    assert email_template(uow, organisation.id, ISSUED)[1] is False  # nothing was saved
    with pytest.raises(NotFound):
        set_email_template(uow, Principal.at_shell(uuid.UUID(int=0)), ISSUED, OWN)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ learner_name.__class__.__mro__[1].__subclasses__() }}",
        "{{ learner_name['__class__'] }}",
        "{{ learner_name.upper() }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__ }}",
        "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}",
        "{{ 'x' * 999999999 }}",
        "{{ learner_name|center(999999999) }}",
        "{{ learner_name|safe }}",
        "{% include '/etc/passwd' %}",
        "{% set learner_name = 'someone else' %}",
        "{% macro m() %}{% endmacro %}",
    ],
)
def test_hostile_templates_are_refused(uow: SqlAlchemyUnitOfWork, source: str) -> None:
    organisation = make_organisation(uow)
    problems = _refused(uow, organisation.id, EmailTemplate("Subject", f"Hello\n{source}\n"))
    assert problems and all(p.startswith("text: line 2: ") for p in problems), problems
    with pytest.raises(InvalidInput):  # a preview is checked the same way
        preview_email_template(uow, organisation.id, ISSUED, EmailTemplate("s", source))
    with pytest.raises(InvalidInput):  # and so is every render, should one ever be stored
        render_email(EmailTemplate("s", source), SAMPLE_VALUES)


def test_values_cannot_inject_markup_or_headers() -> None:
    hostile = {**SAMPLE_VALUES, "learner_name": "<script>alert(1)</script>\r\nBcc: all@example.org"}
    rendered = render_email(OWN, hostile)
    assert rendered.html is not None and "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert "<script>" in rendered.text  # plain text is not HTML: shown as typed


def _plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")  # SMTP carries CRLF


def _assert_branded(message: EmailMessage, html: str) -> None:
    """The organisation's colour and name in the HTML part, and its logo inline by Content-ID."""
    assert "background:#0b6e4f" in html
    assert ">Scenario Academy</span>" in html
    (logo,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert logo.get_content() == PNG
    assert f'src="cid:{str(logo["Content-ID"]).strip("<>")}"' in html


def test_the_preview_is_branded_as_each_organisation(uow: SqlAlchemyUnitOfWork) -> None:
    """Two organisations, two colours, one with a logo: each preview shows its own only."""
    shell = Principal.at_shell(uuid.uuid4())
    first, second = make_organisation(uow, "First Academy"), make_organisation(uow, "Second")
    change_organisation(
        uow, shell, first.slug, OrganisationChanges(primary_colour="#0b6e4f", logo=PNG)
    )
    change_organisation(uow, shell, second.slug, OrganisationChanges(primary_colour="#7a1f5c"))
    one = preview_email_template(uow, first.id, ISSUED).html
    two = preview_email_template(uow, second.id, ISSUED).html
    assert one is not None and two is not None
    assert "background:#0b6e4f" in one and "#7a1f5c" not in one
    assert "background:#7a1f5c" in two and "#0b6e4f" not in two
    assert ">First Academy</span>" in one and ">Second</span>" in two
    assert 'src="data:image/png;base64,' in one and "<img" not in two
    assert "Dear Aïda Núñez-Ngũgĩ," in one  # the default text, as the HTML part sets it


def test_the_organisations_text_is_what_arrives_and_the_default_after_reset(
    uow: SqlAlchemyUnitOfWork, signing: Signing, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    rows = [
        enrolment_row("L1", name="Zoë <O'Brien>", email="zoe@example.org"),
        enrolment_row("L2", email="l2@example.org"),
    ]
    s = scenario(uow, signing, rows)
    changes = OrganisationChanges(primary_colour="#0b6e4f", accent_colour="#b3261e", logo=PNG)
    change_organisation(uow, Principal.at_shell(s.organisation.id), s.organisation.slug, changes)
    set_email_template(uow, Principal.at_shell(s.organisation.id), ISSUED, OWN)
    issue_achievement(
        uow,
        signing,
        IssueRequest(s.organisation.id, s.achievement_id, learner_ids=[s.learners["L1"]]),
    )
    assert _send(uow, url, tmp_path).sent == 1
    (message,) = inbox.messages
    assert message["Subject"] == "Zoë <O'Brien>, your Completion certificate from Scenario Academy"
    text = _plain(message)
    assert text.startswith("Hello Zoë <O'Brien>!\n\nData Science (Spring), no. ")
    assert "Check it: https://certs.example.org/v/" in text
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<b>Zoë &lt;O&#39;Brien&gt;</b>" in html
    assert '<a href="https://certs.example.org/v/' in html
    _assert_branded(message, html)

    reset_email_template(uow, Principal.at_shell(s.organisation.id), ISSUED)
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    assert _send(uow, url, tmp_path).sent == 1
    default = inbox.messages[-1]
    assert default["Subject"] == "Your certificate: Completion, Data Science"
    # The default wording has no HTML of its own: the branded HTML part sets its text.
    default_html = default.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert ">Dear Learner L2,</p>" in default_html and ">View your certificate</a>" in default_html
    assert "background:#b3261e" in default_html  # the button, in the accent colour
    _assert_branded(default, default_html)
    body = _plain(default)
    assert body.startswith("Dear Learner L2,\n\nCongratulations! Scenario Academy has awarded you")
