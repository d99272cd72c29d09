"""E-mail templates: what an organisation writes to its learners, per kind of e-mail.

An organisation may set its own subject, plain-text body and optional HTML body for each
:class:`~certmint.domain.notifications.NotificationKind`; without one, :data:`DEFAULTS` is
sent. Templates are Jinja2 text limited to :data:`PLACEHOLDERS` (checked when saved, see
``services/notifications/email_templates.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from certmint.domain.notifications import NotificationKind

__all__ = ["DEFAULTS", "PLACEHOLDERS", "SAMPLE_VALUES", "EmailTemplate"]

#: The values a template may use, with what each one is.
PLACEHOLDERS: dict[str, str] = {
    "learner_name": "the learner's name, as printed on the certificate",
    "achievement": "the achievement's name (e.g. Completion)",
    "course": "the course's name",
    "batch": "the batch's name",
    "organisation": "the issuing organisation's name",
    "verification_url": "the certificate's verification page (its QR code's URL)",
    "certificate_number": "the printed certificate number",
    "issue_date": "the issue date, as printed (15 May 2026)",
}

#: What a preview fills in.
SAMPLE_VALUES: dict[str, str] = {
    "learner_name": "Aïda Núñez-Ngũgĩ",
    "achievement": "Completion",
    "course": "Data Science 101",
    "batch": "Spring 2026",
    "organisation": "Example Institute",
    "verification_url": "https://certs.example.org/v/DnxN3IrVRE6XqUucNpEf5A",
    "certificate_number": "2026-QA312-DJQ3S",
    "issue_date": "15 May 2026",
}


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    """The Jinja2 source of one kind of e-mail; ``html`` is optional (plain text only)."""

    subject: str
    text: str
    html: str | None = None


_DETAILS = (
    "  {{ achievement }} — {{ course }}, {{ batch }}\n"
    "  Certificate number {{ certificate_number }}, issued on {{ issue_date }}\n\n"
    "View, download and share it, and let anyone check that it is genuine, at:\n"
    "{{ verification_url }}\n\n"
    "The signed credential is also attached to the PDF, for digital wallets.\n"
)

#: The text sent when an organisation has set none.
DEFAULTS: dict[NotificationKind, EmailTemplate] = {
    NotificationKind.ISSUED: EmailTemplate(
        subject="Your certificate: {{ achievement }}, {{ course }}",
        text="Dear {{ learner_name }},\n\n"
        "Congratulations! {{ organisation }} has awarded you a certificate.\n\n" + _DETAILS,
    ),
    NotificationKind.REISSUED: EmailTemplate(
        subject="Your corrected certificate: {{ achievement }}, {{ course }}",
        text="Dear {{ learner_name }},\n\n"
        "Your certificate has been re-issued; the earlier one is no longer current.\n\n" + _DETAILS,
    ),
}
