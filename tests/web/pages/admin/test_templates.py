from __future__ import annotations

import base64
import io
import re
from uuid import UUID

from fastapi.testclient import TestClient
from PIL import Image, ImageChops

from certmint.services.catalogue.templates import get_template
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.rendering.conftest import logo_png
from tests.web.pages.admin.conftest import Admin, get_ok

PNG = b"\x89PNG\r\n\x1a\n"


def _designer_form(**values: str) -> dict[str, str]:
    form = {
        "layout": "classic-1-1",
        "paper": "a4",
        "title": "Certificate of Merit",
        "subtitle": "This is to certify that",
        "description": "has completed {{course.name}} with distinction",
        "details": "{{batch.name}}",
        "issuer_name": "{{issuer.name}}",
        "signatory_1_name": "Dr. Meera Iyer",
        "signatory_1_designation": "Director",
    }
    form.update(values)
    return form


def _create(client: TestClient, admin: Admin) -> str:
    response = client.post(
        "/admin/templates",
        data={"layout": "classic-1-1", "name": "Merit"},
        headers=admin.headers,
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.search(r"/admin/templates/[0-9a-f-]{36}$", location)
    return location.rsplit("/", 1)[1]


def test_gallery_shows_every_layout_with_a_rendered_thumbnail(
    client: TestClient, admin: Admin
) -> None:
    html = get_ok(client, "/admin/templates", admin.headers)
    assert "Classic, two logos" in html
    thumbnail = client.get("/admin/templates/layouts/classic-1-1.png", headers=admin.headers)
    assert thumbnail.status_code == 200
    assert thumbnail.content.startswith(PNG)
    assert client.get("/admin/templates/layouts/nope.png", headers=admin.headers).status_code == 404


def test_the_four_classic_thumbnails_show_their_logos_and_signatures(
    client: TestClient, admin: Admin
) -> None:
    """The classic layouts differ only in how many logos and signatures they hold: their
    thumbnails show them, so no two look the same."""
    images = {
        layout: Image.open(
            io.BytesIO(
                client.get(f"/admin/templates/layouts/{layout}.png", headers=admin.headers).content
            )
        ).convert("L")
        for layout in ("classic-1-1", "classic-2-1", "classic-1-2", "classic-2-2")
    }
    layouts = list(images)
    for n, first in enumerate(layouts):
        for second in layouts[n + 1 :]:
            difference = ImageChops.difference(images[first], images[second])
            changed = difference.point(lambda value: 255 if value > 64 else 0).histogram()[255]
            assert changed > 100, (first, second)  # identical thumbnails differ by 0


def test_the_designer_offers_the_rows_its_layout_holds(client: TestClient, admin: Admin) -> None:
    template_id = _create(client, admin)  # classic-1-1: one logo, one signature
    html = get_ok(client, f"/admin/templates/{template_id}", admin.headers)
    shown = re.findall(r'data-signatory-row="(\d)"(?! hidden)', html)
    assert shown == ["1"] and re.findall(r'data-logo-row="(\d)"(?! hidden)', html) == ["1"]
    two = client.post(
        f"/admin/templates/{template_id}/preview",
        data=_designer_form(layout="classic-2-2"),
        headers=admin.headers,
    )
    assert re.findall(r'data-signatory-row="(\d)"(?! hidden)', two.text) == ["1", "2"]
    assert re.findall(r'data-logo-row="(\d)"(?! hidden)', two.text) == ["1", "2"]


def test_design_preview_save_publish(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    template_id = _create(client, admin)
    html = get_ok(client, f"/admin/templates/{template_id}", admin.headers)
    # The default title follows the achievement the template is attached as.
    assert "Certificate of {{achievement.name}}" in html and "Publish v1" in html

    # Without JavaScript: the Preview button re-renders the page with the image, saving nothing.
    preview = client.post(
        f"/admin/templates/{template_id}/preview",
        data=_designer_form(),
        files={"logo_1": ("logo.png", logo_png(), "image/png")},
        headers=admin.headers,
    )
    assert preview.status_code == 200
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', preview.text)
    assert embedded is not None
    image = Image.open(io.BytesIO(base64.b64decode(embedded.group(1))))
    assert image.width == 1000
    assert 'value="Certificate of Merit"' in preview.text
    org = admin.scenario.organisation.id
    _, versions = get_template(uow, org, UUID(template_id))
    assert len(versions) == 1

    # With JavaScript: the same form posted to preview.png answers the image alone.
    live = client.post(
        f"/admin/templates/{template_id}/preview.png",
        data=_designer_form(title="Live"),
        headers=admin.headers,
    )
    assert live.status_code == 200 and live.content.startswith(PNG)

    saved = client.post(
        f"/admin/templates/{template_id}",
        data=_designer_form(),
        files={"logo_1": ("logo.png", logo_png(), "image/png")},
        headers=admin.headers,
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    _, versions = get_template(uow, org, UUID(template_id))
    assert [v.number for v in versions] == [1, 2]
    design = versions[1].design
    assert design is not None
    assert design["title"] == "Certificate of Merit" and len(design["logos"]) == 1
    assert design["signatories"][0]["name"] == "Dr. Meera Iyer"

    # Saving again without a new upload keeps the logo.
    client.post(
        f"/admin/templates/{template_id}",
        data=_designer_form(title="Third"),
        headers=admin.headers,
    )
    _, versions = get_template(uow, org, UUID(template_id))
    third = versions[2].design
    assert third is not None and third["title"] == "Third" and len(third["logos"]) == 1

    published = client.post(
        f"/admin/templates/versions/{versions[1].id}/publish",
        headers=admin.headers,
        follow_redirects=False,
    )
    assert published.status_code == 303
    html = get_ok(client, published.headers["location"], admin.headers)
    assert "Version published." in html
    assert "Publish v2" not in html and "Publish v3" in html
    image = client.get(
        f"/admin/templates/versions/{versions[1].id}/preview.png", headers=admin.headers
    )
    assert image.content.startswith(PNG)


def test_a_bad_upload_is_shown_as_a_problem_and_nothing_is_saved(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    template_id = _create(client, admin)
    response = client.post(
        f"/admin/templates/{template_id}",
        data=_designer_form(),
        files={"logo_1": ("logo.png", b"not an image at all", "image/png")},
        headers=admin.headers,
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    _, versions = get_template(uow, admin.scenario.organisation.id, UUID(template_id))
    assert len(versions) == 1
    live = client.post(
        f"/admin/templates/{template_id}/preview.png",
        data=_designer_form(),
        files={"logo_1": ("logo.svg", b"<svg><script>alert(1)</script>", "image/svg+xml")},
        headers=admin.headers,
    )
    assert live.status_code == 422
    assert live.headers["content-type"] == "application/problem+json"


def test_another_tenants_template_is_not_found(
    client: TestClient, admin: Admin, other_tenant: dict[str, str]
) -> None:
    template_id = _create(client, admin)
    version_id = str(admin.scenario.template_version_id)
    for url in (
        f"/admin/templates/{template_id}",
        f"/admin/templates/versions/{version_id}/preview.png",
    ):
        assert client.get(url, headers=other_tenant).status_code == 404
    assert (
        client.post(
            f"/admin/templates/{template_id}", data=_designer_form(), headers=other_tenant
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/admin/templates/versions/{version_id}/publish", headers=other_tenant
        ).status_code
        == 404
    )
