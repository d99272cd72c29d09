"""E-mail templates per organisation: checked when saved, rendered in a sandbox when sent.

Templates are Jinja2, rendered by a ``SandboxedEnvironment`` (the HTML body with autoescape,
so a learner's name cannot inject markup). On top of the sandbox, a template may use only what
an e-mail needs, checked on the parsed template when it is saved (and again when rendered):

* the :data:`~certmint.domain.email_templates.PLACEHOLDERS`, by name: no attribute or item
  access (``{{ ''.__class__ }}``), no calls, no ``{% set %}``, loops, macros or includes;
* ``if``/``else``, comparisons, ``and``/``or``/``not``, ``~`` and the filters of
  :data:`FILTERS` (none of which can make a large output: no ``center``, ``format``, ``*``).

Errors are ``InvalidInput`` naming the part and the line (``text: line 3: ...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from jinja2 import TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from certmint.domain.accounts import Principal
from certmint.domain.email_templates import DEFAULTS, PLACEHOLDERS, SAMPLE_VALUES, EmailTemplate
from certmint.domain.notifications import NotificationKind
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.issuers.email_branding import Button, branded_html, mail_brand
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "CERTIFICATE_BUTTON",
    "FILTERS",
    "MAX_TEMPLATE_CHARS",
    "RenderedEmail",
    "email_template",
    "preview_email_template",
    "render_email",
    "reset_email_template",
    "set_email_template",
]

MAX_TEMPLATE_CHARS = 20_000
#: The label of the button a certificate e-mail's HTML part makes of its verification link.
CERTIFICATE_BUTTON = "View your certificate"
#: How deep ``if`` blocks may nest, and how many parts one ``{{ }}`` or ``{% %}`` may have. Jinja
#: parses and compiles recursively: a few thousand nested blocks or parentheses exhaust Python's
#: stack (RecursionError), and about a hundred nested blocks its indentation limit. Both are
#: checked on the tokens (the lexer does not recurse) before the template is parsed.
MAX_NESTING = 20
MAX_TAG_TOKENS = 100
_OPENS = frozenset({"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans"})
#: Filters a template may use; each one's output is at most a small multiple of its input.
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d", "truncate"})
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.Filter,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Keyword,
)
_text = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
_html = SandboxedEnvironment(autoescape=True, keep_trailing_newline=True)


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """A subject line, a plain-text body and maybe an HTML body, placeholders filled in."""

    subject: str
    text: str
    html: str | None


def _problems(source: str, part: str, environment: SandboxedEnvironment) -> list[str]:
    """Why ``source`` cannot be a template part, each with its line; empty when it can."""
    if len(source) > MAX_TEMPLATE_CHARS:
        return [f"{part}: longer than {MAX_TEMPLATE_CHARS} characters"]
    try:
        too_deep = _nesting_problem(source, environment)
        if too_deep is not None:
            return [f"{part}: {too_deep}"]
        tree = environment.parse(source)
        found = list(tree.find_all(nodes.Node))
    except TemplateSyntaxError as exc:
        return [f"{part}: line {exc.lineno}: {exc.message}"]
    except RecursionError:  # a nesting the token count does not see (block {% set %}, say)
        return [f"{part}: nested too deeply to be read"]
    problems = []
    for node in found:
        line = f"{part}: line {node.lineno}"
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(f"{line}: {_describe(node)} is not allowed in an e-mail template")
        elif isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            known = ", ".join(PLACEHOLDERS)
            problems.append(f"{line}: unknown placeholder {node.name!r} (known: {known})")
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            problems.append(
                f"{line}: filter {node.name!r} is not allowed ({', '.join(sorted(FILTERS))})"
            )
    return problems


def _nesting_problem(source: str, environment: SandboxedEnvironment) -> str | None:
    """Why ``source`` nests too deeply to be parsed safely (with its line), or None.

    Counted on the lexer's tokens: blocks opened and not yet closed, and the tokens of each tag
    (a tag's expression cannot nest deeper than it has tokens). Raises ``TemplateSyntaxError``
    for text the lexer cannot read, as parsing would.
    """
    depth, tokens_in_tag, tag_start = 0, 0, False
    for line, kind, value in environment.lex(source):
        if kind in ("block_begin", "variable_begin"):
            tokens_in_tag, tag_start = 0, kind == "block_begin"
            continue
        if kind in ("whitespace", "data", "block_end", "variable_end"):
            continue
        tokens_in_tag += 1
        if tokens_in_tag > MAX_TAG_TOKENS:
            return f"line {line}: an expression of more than {MAX_TAG_TOKENS} parts"
        if tag_start and kind == "name":
            if value in _OPENS:
                depth += 1
                if depth > MAX_NESTING:
                    return f"line {line}: blocks nested more than {MAX_NESTING} deep"
            elif value.startswith("end"):
                depth = max(0, depth - 1)
        tag_start = False
    return None


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr):
        return f"attribute access (.{node.attr})"
    if isinstance(node, nodes.Getitem):
        return "item access ([...])"
    if isinstance(node, nodes.Call):
        return "a call"
    return f"{type(node).__name__.lower()}"


def _all_problems(template: EmailTemplate) -> list[str]:
    problems = [
        *([] if template.subject.strip() else ["subject: must not be empty"]),
        *_problems(template.subject, "subject", _text),
        *([] if template.text.strip() else ["text: must not be empty"]),
        *_problems(template.text, "text", _text),
    ]
    if template.html is not None:
        problems += _problems(template.html, "html", _html)
    return problems


def _checked(template: EmailTemplate) -> EmailTemplate:
    """``template`` with its subject on one line and an empty HTML body dropped, if every part
    is allowed and renders with sample values; else ``InvalidInput`` listing every problem."""
    checked = replace(
        template, subject=" ".join(template.subject.split()), html=template.html or None
    )
    render_email(checked, SAMPLE_VALUES)
    return checked


def render_email(template: EmailTemplate, values: Mapping[str, str]) -> RenderedEmail:
    """Fill in ``values`` (every placeholder). Raises ``InvalidInput`` if the template uses
    anything not allowed (checked on every render, not only when saved) or the sandbox
    refuses it."""
    problems = _all_problems(template)
    if problems:
        raise InvalidInput(problems, "e-mail template rejected")
    try:
        subject = _text.from_string(template.subject).render(values)
        text = _text.from_string(template.text).render(values)
        html = _html.from_string(template.html).render(values) if template.html else None
    except TemplateError as exc:  # SecurityError and UndefinedError are TemplateErrors
        raise InvalidInput([f"template: {exc}"], "e-mail template rejected") from exc
    # One line, whatever a value holds: a header cannot be split into two.
    return RenderedEmail(" ".join(subject.split()), text, html)


def email_template(
    uow: UnitOfWork, organisation_id: UUID, kind: NotificationKind
) -> tuple[EmailTemplate, bool]:
    """The organisation's template for ``kind`` and whether it is its own (else the default)."""
    with uow as tx:
        own = tx.email_templates.get(organisation_id, kind)
    return (own, True) if own is not None else (DEFAULTS[kind], False)


def set_email_template(
    uow: UnitOfWork, principal: Principal, kind: NotificationKind, template: EmailTemplate
) -> EmailTemplate:
    """Save the organisation's own template for ``kind`` (admins: ``Action.ADMINISTER``);
    ``InvalidInput`` lists every problem."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    checked = _checked(template)
    now = datetime.now(UTC)
    with uow as tx:
        if tx.organisations.get(organisation_id) is None:
            raise NotFound("organisation", organisation_id)
        tx.email_templates.put(organisation_id, kind, checked, now)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="email_template.set",
            subject_type="email_template",
            subject_id=kind.value,
            details={"subject": checked.subject, "html": checked.html is not None},
            at=now,
        )
        tx.commit()
    return checked


def reset_email_template(uow: UnitOfWork, principal: Principal, kind: NotificationKind) -> bool:
    """Go back to the default text for ``kind`` (admins); returns whether there was an own
    template."""
    authorization.require(principal, Action.ADMINISTER)
    now = datetime.now(UTC)
    with uow as tx:
        removed = tx.email_templates.remove(principal.organisation_id, kind)
        if removed:
            record(
                tx,
                organisation_id=principal.organisation_id,
                actor=principal.actor,
                action="email_template.reset",
                subject_type="email_template",
                subject_id=kind.value,
                at=now,
            )
        tx.commit()
    return removed


def preview_email_template(
    uow: UnitOfWork,
    organisation_id: UUID,
    kind: NotificationKind,
    template: EmailTemplate | None = None,
) -> RenderedEmail:
    """The e-mail with sample values: of ``template`` (checked, not saved) or of the current one.
    Its HTML is the organisation's branded HTML part, as sent, with the logo inline as a
    ``data:`` URL (a page has no message part to refer to)."""
    current = template if template is not None else email_template(uow, organisation_id, kind)[0]
    rendered = render_email(_checked(current), SAMPLE_VALUES)
    with uow as tx:
        brand = mail_brand(tx, tx.organisations.get(organisation_id))
    button = Button(SAMPLE_VALUES["verification_url"], CERTIFICATE_BUTTON)
    html = branded_html(brand, text=rendered.text, html=rendered.html, button=button)
    return replace(rendered, html=html)
