from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items

DESIGN = {
    "layout": "classic-1-1",
    "title": "Certificate of {{achievement.name}}",
    "signatories": [{"name": "Dr. Meera Iyer", "designation": "Director"}],
    "colours": {"primary": "#123456"},
}
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    '<text x="10" y="50">{{recipient.name}}</text><script>alert(1)</script></svg>'
)


def test_design_preview_publish(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    created = api.post("/api/v1/templates", json={"name": "Gold", "design": DESIGN}, headers=admin)
    assert created.status_code == 201, created.text
    version = created.json()
    assert (version["number"], version["status"]) == (1, "draft")
    assert version["design"]["colours"]["primary"] == "#123456"
    listed = items(api.get("/api/v1/templates", headers=admin))
    gold = next(t for t in listed if t["name"] == "Gold")
    assert gold["latest_version"]["id"] == version["id"]
    assert api.get(f"/api/v1/templates/{gold['id']}", headers=admin).json()["name"] == "Gold"

    preview = api.get(f"/api/v1/template-versions/{version['id']}/preview", headers=admin)
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG")
    pdf = api.get(f"/api/v1/template-versions/{version['id']}/preview?format=pdf", headers=admin)
    assert pdf.content.startswith(b"%PDF")

    published = api.post(f"/api/v1/template-versions/{version['id']}/publish", headers=admin)
    assert published.json()["status"] == "published"
    assert published.json()["content_hash"].startswith("sha256:")
    again = api.post(f"/api/v1/template-versions/{version['id']}/publish", headers=admin)
    assert again.status_code == 409

    revised = api.post(
        f"/api/v1/templates/{gold['id']}/versions", json={"svg": SVG}, headers=admin
    ).json()
    assert (revised["number"], revised["status"], revised["design"]) == (2, "draft", None)


def test_uploaded_svg_is_sanitised(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    version = api.post("/api/v1/templates", json={"svg": SVG}, headers=admin).json()
    svg = api.get(
        f"/api/v1/template-versions/{version['id']}/preview?format=svg", headers=admin
    ).text
    assert "<script" not in svg


def test_bad_templates_are_refused(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    both = api.post("/api/v1/templates", json={"design": DESIGN, "svg": SVG}, headers=admin)
    assert both.status_code == 422
    assert "exactly one" in both.json()["errors"][0]["message"]
    bad_colour = {**DESIGN, "colours": {"primary": "red"}}
    refused = api.post("/api/v1/templates", json={"design": bad_colour}, headers=admin)
    assert refused.status_code == 422
    assert "colours.primary" in refused.json()["errors"][0]
    bad_logo = {**DESIGN, "logos": ["***"]}
    assert (
        api.post("/api/v1/templates", json={"design": bad_logo}, headers=admin).status_code == 422
    )
    unknown = {**DESIGN, "layout": "baroque"}
    assert api.post("/api/v1/templates", json={"design": unknown}, headers=admin).status_code == 422
    script = api.post("/api/v1/templates", json={"svg": "<svg"}, headers=admin)
    assert script.status_code == 422


def test_course_managers_look_but_do_not_design(api: TestClient, world: World) -> None:
    manager = world.headers("manager")
    assert api.get("/api/v1/templates", headers=manager).status_code == 200
    refused = api.post("/api/v1/templates", json={"design": DESIGN}, headers=manager)
    assert refused.status_code == 403
