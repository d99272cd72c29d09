"""The e-mail template repository: one row per organisation and kind, replaced in place."""

from __future__ import annotations

from datetime import UTC, datetime

from certmint.domain.email_templates import EmailTemplate
from certmint.domain.notifications import NotificationKind
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import make_organisation


def test_put_replaces_and_remove_deletes_per_organisation(uow: SqlAlchemyUnitOfWork) -> None:
    ours, theirs = make_organisation(uow, "Ours"), make_organisation(uow, "Theirs")
    issued, now = NotificationKind.ISSUED, datetime.now(UTC)
    with uow:
        uow.email_templates.put(ours.id, issued, EmailTemplate("a", "b", "<p>c</p>"), now)
        uow.email_templates.put(ours.id, issued, EmailTemplate("a2", "b2"), now)
        uow.commit()
    with uow:
        assert uow.email_templates.get(ours.id, issued) == EmailTemplate("a2", "b2", None)
        assert uow.email_templates.get(theirs.id, issued) is None
        assert uow.email_templates.get(ours.id, NotificationKind.REISSUED) is None
        assert not uow.email_templates.remove(theirs.id, issued)
        assert uow.email_templates.remove(ours.id, issued)
        uow.commit()
    with uow:
        assert uow.email_templates.get(ours.id, issued) is None
