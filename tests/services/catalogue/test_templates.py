from __future__ import annotations

import hashlib
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.rendering import Design, FontSet, Paper, Signatory
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch, resolve_learner
from certmint.services.catalogue.templates import (
    create_template,
    default_name,
    design_from_json,
    design_to_json,
    get_template,
    get_template_version,
    list_templates,
    preview_template,
    publish_template_version,
    revise_template,
    upload_template,
)
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.links import Links
from certmint.storage.tables import AuditEventRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5f6b6c50000000049454e44ae426082"
)
DESIGN = Design(
    layout="classic-1-2",
    paper=Paper.LETTER,
    title="Certificate of Merit",
    logos=(PNG_1PX,),
    signatories=(
        Signatory("Dr. Meera Iyer", "Director", PNG_1PX),
        Signatory("Rahul Verma", "Lead"),
    ),
)
UPLOAD = b"""<svg xmlns="http://www.w3.org/2000/svg" width="842" height="595" viewBox="0 0 842 595">
<script>alert(1)</script>
<text x="100" y="100" onclick="steal()">{{recipient.name}}</text>
<text x="100" y="200">{{course.name}}</text></svg>"""


def test_design_json_round_trips() -> None:
    assert design_from_json(design_to_json(DESIGN)) == DESIGN


def test_create_publish_and_revise(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    first = create_template(uow, Principal.at_shell(org.id), DESIGN)
    assert (first.number, first.status, first.content_hash) == (1, "draft", None)
    assert "{{recipient.name}}" in first.svg
    assert first.design is not None and design_from_json(first.design) == DESIGN

    published = publish_template_version(uow, Principal.at_shell(org.id), first.id)
    assert published.status == "published"
    assert published.content_hash == "sha256:" + hashlib.sha256(first.svg.encode()).hexdigest()
    with pytest.raises(Conflict):
        publish_template_version(uow, Principal.at_shell(org.id), first.id)

    revised = revise_template(
        uow,
        Principal.at_shell(org.id),
        first.template_id,
        design=Design(layout="classic-1-2", title="Certificate of Distinction"),
    )
    second = revised.version
    assert (second.number, second.status, revised.removed) == (2, "draft", ())
    assert get_template_version(uow, org.id, first.id) == published  # the frozen one is untouched

    ((template, versions),) = list_templates(uow, org.id)
    assert template.name == "Certificate of Merit"
    assert [v.number for v in versions] == [1, 2]
    actions = session.scalars(select(AuditEventRow.action).order_by(AuditEventRow.at)).all()
    assert actions[-3:] == ["template.created", "template.published", "template.revised"]


def test_create_and_publish_at_once(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    version = create_template(uow, Principal.at_shell(org.id), DESIGN, publish=True)
    assert get_template_version(uow, org.id, version.id).status == "published"


def test_an_unnamed_template_is_named_by_its_title_without_placeholders(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    org = make_organisation(uow)
    design = Design(layout="classic-1-1", title="Certificate of {{ achievement.name }}")
    version = create_template(uow, Principal.at_shell(org.id), design)
    template, _ = get_template(uow, org.id, version.template_id)
    assert template.name == "Certificate of …"
    assert default_name("{{achievement.name}}") == "…"
    assert default_name("  ") == "Certificate"


def test_upload_is_sanitised(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    uploaded = upload_template(uow, Principal.at_shell(org.id), UPLOAD, name="Custom")
    version = uploaded.version
    assert "<script" not in version.svg and "onclick" not in version.svg
    assert "element <script>" in uploaded.removed  # what was taken out, for the answer
    assert any("onclick" in item for item in uploaded.removed)
    assert "{{recipient.name}}" in version.svg
    assert version.design is None


def test_unknown_placeholder_lists_the_known_ones(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    bad = UPLOAD.replace(b"{{course.name}}", b"{{course.title}}")
    with pytest.raises(InvalidInput) as caught:
        upload_template(uow, Principal.at_shell(org.id), bad, name="Custom")
    (problem,) = caught.value.problems
    assert "course.title" in str(problem) and "recipient.name" in str(problem)


def test_bad_design_is_invalid_input(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    with pytest.raises(InvalidInput):
        create_template(uow, Principal.at_shell(org.id), Design(layout="no-such-layout"))


def test_versions_are_scoped_to_their_organisation(uow: SqlAlchemyUnitOfWork) -> None:
    mine = make_organisation(uow, "Mine")
    theirs = make_organisation(uow, "Theirs")
    version = create_template(uow, Principal.at_shell(theirs.id), DESIGN)
    with pytest.raises(NotFound):
        get_template_version(uow, mine.id, version.id)
    with pytest.raises(NotFound):
        publish_template_version(uow, Principal.at_shell(mine.id), version.id)
    with pytest.raises(NotFound):
        revise_template(uow, Principal.at_shell(mine.id), version.template_id, design=DESIGN)


def test_preview_in_every_format(uow: SqlAlchemyUnitOfWork, fonts: FontSet) -> None:
    org = make_organisation(uow)
    version = create_template(uow, Principal.at_shell(org.id), DESIGN)
    values = {"recipient.name": "अनन्या कृष्णमूर्ति"}
    pdf = preview_template(uow, org.id, version.id, fonts=fonts, links=Links("https://x.example"))
    assert pdf.startswith(b"%PDF-")
    png = preview_template(
        uow,
        org.id,
        version.id,
        fonts=fonts,
        links=Links("https://x.example"),
        output="png",
        values=values,
    )
    assert png.startswith(b"\x89PNG")
    svg = preview_template(
        uow,
        org.id,
        version.id,
        fonts=fonts,
        links=Links("https://x.example"),
        output="svg",
        values=values,
    )
    assert "अनन्या कृष्णमूर्ति".encode() in svg


def test_preview_with_a_real_learner_and_batch(uow: SqlAlchemyUnitOfWork, fonts: FontSet) -> None:
    org = make_organisation(uow)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1", name="ਹਰਪ੍ਰੀਤ ਸਿੰਘ")]))
    learner = resolve_learner(uow, org.id, "L1")
    _, batch = resolve_batch(uow, org.id, "B1")
    version = create_template(uow, Principal.at_shell(org.id), DESIGN)
    svg = preview_template(
        uow,
        org.id,
        version.id,
        fonts=fonts,
        links=Links("https://x.example"),
        output="svg",
        learner_id=learner.id,
        batch_id=batch.id,
    )
    assert "ਹਰਪ੍ਰੀਤ ਸਿੰਘ".encode() in svg
    assert b"Data Science" in svg
    other = make_organisation(uow, "Other")
    with pytest.raises(NotFound):
        preview_template(uow, other.id, version.id, fonts=fonts, links=Links("https://x.example"))


def test_only_admins_make_templates(uow: SqlAlchemyUnitOfWork) -> None:
    """Course managers use published templates; the use cases ask the policy, whoever calls."""
    org = make_organisation(uow).id
    version = create_template(uow, Principal.at_shell(org), DESIGN)
    manager = Principal(org, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    for attempt in (
        lambda: create_template(uow, manager, DESIGN),
        lambda: upload_template(uow, manager, UPLOAD, name="x"),
        lambda: revise_template(uow, manager, version.template_id, design=DESIGN),
        lambda: publish_template_version(uow, manager, version.id),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert [t.name for t, _ in list_templates(uow, org)] == ["Certificate of Merit"]
