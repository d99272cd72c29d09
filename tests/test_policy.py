"""One authorisation policy: only ``services/authorization.py`` reads what a principal's role
allows. Every other module asks it (``allows``, ``require``, the loaders), so a rule such as
"only admins design templates" is written once and the web layer never decides it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "certmint"
POLICY = "services/authorization.py"

# Modules that compare roles as data, not as permissions: which roles an account or a token
# may have and what each carries (courses, a learner record), which e-mail a new account gets,
# and which invitation the admin's form asked for.
ROLE_AS_DATA = {
    "domain/accounts.py",
    "services/identity/accounts.py",
    "services/identity/tokens.py",
    "services/identity/sign_in_links.py",
    "web/pages/admin/users.py",
}


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(), str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _is_role_member(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
    )


def _names_a_principal(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return "principal" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "principal" in node.attr.lower()
    return False


def _principal_scope(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("role", "course_ids", "learner_id")
        and _names_a_principal(node.value)
    )


def role_decisions(module: str, tree: ast.Module) -> list[str]:
    """Where ``module`` decides by a role: compares a principal's role or scope (its courses,
    its learner record), or anything with a role. Showing them (``/api/v1/me``) is no decision."""
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = (node.left, *node.comparators)
        if any(_principal_scope(n) for n in operands):
            found.append(f"{module}:{node.lineno} compares a principal's role or scope")
        elif module not in ROLE_AS_DATA and any(_is_role_member(n) for n in operands):
            found.append(f"{module}:{node.lineno} compares with a role")
    return found


def test_only_the_policy_decides_by_role() -> None:
    found = [
        where
        for module, tree in _modules()
        if module != POLICY
        for where in role_decisions(module, tree)
    ]
    assert found == [], "ask services.authorization instead:\n" + "\n".join(found)


def test_the_check_finds_a_role_decision() -> None:
    """The check above can fail: a route that decides "admins only" itself is found."""
    route = ast.parse(
        "def page(principal):\n"
        "    if principal.role is not Role.ADMIN:\n"
        "        raise Forbidden('admins only')\n"
    )
    assert role_decisions("web/pages/admin/x.py", route) == [
        "web/pages/admin/x.py:2 compares a principal's role or scope"
    ]
    assert role_decisions("web/x.py", ast.parse("ok = user.role == Role.ADMIN")) == [
        "web/x.py:1 compares with a role"
    ]
    assert role_decisions(POLICY, ast.parse("x = 1")) == []
