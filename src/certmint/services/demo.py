"""Demo data for ``certmint demo``: enough to click through every capability.

The learners' names are in many scripts on purpose: they show at once whether fonts, shaping
and direction work on this machine.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from uuid import UUID

from certmint.domain.accounts import Principal, Role
from certmint.domain.enrolment_import import KNOWN_COLUMNS
from certmint.domain.spreadsheets import SpreadsheetCsvWriter
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import add_achievement, list_achievements
from certmint.services.catalogue.imports import ImportSummary, import_enrolments
from certmint.services.catalogue.roster import resolve_batch, resolve_learner
from certmint.services.catalogue.templates import create_template, list_templates
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.identity.accounts import create_user, generate_password, list_users
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "DEMO_NAMES",
    "DemoAccount",
    "DemoSummary",
    "demo_enrolments_csv",
    "ensure_demo_accounts",
    "load_demo_data",
]

DEMO_NAMES = (
    "Aarav Sharma",
    "Zoë Müller",
    "José Álvarez-Núñez",
    "Siobhán Ní Bhriain",
    "Łukasz Wójcik",
    "अनन्या कृष्णमूर्ति",
    "श्रीनिवास त्रिपाठी",
    "தமிழ்செல்வி இராமசாமி",
    "అక్షయ్ రెడ్డి",
    "ಶ್ರೀಧರ ಹೆಗ್ಡೆ",
    "മീനാക്ഷി നായർ",
    "অর্পিতা চট্টোপাধ্যায়",
    "ਹਰਪ੍ਰੀਤ ਸਿੰਘ",
    "જિજ્ઞેશ પટેલ",
    "ସୁଭଶ୍ରୀ ମହାପାତ୍ର",
    "محمد عبد الله",
    "فاطمہ زہرا",
    "王小明",
    "佐藤 花子",
    "김민준",
    "Nguyễn Thị Minh Khai",
    "Ana Paula dos Santos",
    "Olusegun Adébáyọ̀",
    "Grace O'Connor",
    "Priya Venkataraman-Subramanian",
    "Chen Wei",
    "Emma Johansson",
    "Rahul Deshpande",
    "Mei Lin Tan",
    "Fatima Zahra El Amrani",
    "Kwame Mensah",
    "Sofia Rossi",
    "Daniel Okafor",
    "Ingrid Bergström",
    "Hiroshi Tanaka",
    "Laila Haddad",
)

_COURSES = (
    (
        "DS101",
        "Foundations of Data Science",
        (("DS101-2026-A", "Spring 2026"), ("DS101-2026-B", "Autumn 2026")),
    ),
    ("WEB201", "Accessible Web Development", (("WEB201-2026", "Cohort 2026"),)),
)


def demo_enrolments_csv(seed: int = 7) -> bytes:
    """An LMS-style export: every learner in one batch, with scores and a few attributes."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    out = io.StringIO()
    writer = SpreadsheetCsvWriter(out)
    writer.writerow([*KNOWN_COLUMNS, "score:final", "score:project", "attr:country"])
    batches = [(c, cn, b, bn) for c, cn, bs in _COURSES for b, bn in bs]
    countries = ("IN", "DE", "BR", "NG", "JP", "EG", "US")
    for number, name in enumerate(DEMO_NAMES, start=1):
        course_id, course_name, batch_id, batch_name = batches[number % len(batches)]
        status = rng.choice(("completed", "completed", "completed", "in_progress", "enrolled"))
        completed = status == "completed"
        writer.writerow(
            [
                course_id,
                course_name,
                batch_id,
                batch_name,
                f"L{number:04d}",
                name,
                f"learner{number}@example.org",
                status,
                f"2026-{rng.randint(3, 10):02d}-{rng.randint(1, 28):02d}" if completed else "",
                rng.randint(45, 100) if status != "enrolled" else "",
                f"{rng.randint(10, 20)}/20" if completed else "",
                rng.choice(countries),
            ]
        )
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class DemoSummary:
    imported: ImportSummary
    certificates: tuple[UUID, ...]  # every certificate the demo organisation holds


DEMO_DESIGN = Design(
    layout="classic-2-1",
    title="Certificate of {{achievement.name}}",
    signatories=(Signatory("Dr. Meera Iyer", "Director of Studies"),),
)
DEMO_ACHIEVEMENTS = (
    ("Completion", "for completing every module", {"completed": True}),
    (
        "Merit",
        "for completing with distinction",
        {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 85}}]},
    ),
)


def load_demo_data(
    uow: SqlAlchemyUnitOfWork, signing: Signing, organisation_id: UUID
) -> DemoSummary:
    """Import the demo roster, design a template, attach completion and merit to every batch and
    issue. Safe to run again: the import is an upsert, existing achievements are kept and
    issuance never awards twice."""
    imported = import_enrolments(
        uow, organisation_id, demo_enrolments_csv(), actor="demo", source="demo"
    )
    templates = list_templates(uow, organisation_id)
    version = next(
        (v for _, versions in templates for v in versions if v.status == "published"), None
    ) or create_template(
        uow, Principal.at_shell(organisation_id, "demo"), DEMO_DESIGN, publish=True
    )
    for course_id, _, batches in _COURSES:
        for batch_id, _ in batches:
            _, batch = resolve_batch(uow, organisation_id, batch_id)
            existing = {a.name for a in list_achievements(uow, organisation_id, batch.id)}
            for name, description, criteria in DEMO_ACHIEVEMENTS:
                if name not in existing:
                    add_achievement(
                        uow,
                        Principal.at_shell(organisation_id, "demo"),
                        batch_id=batch.id,
                        template_version_id=version.id,
                        name=name,
                        description=f"{description} of {course_id}",
                        criteria=criteria,
                    )
            for achievement in list_achievements(uow, organisation_id, batch.id):
                issue_achievement(
                    uow, signing, IssueRequest(organisation_id, achievement.id, actor="demo")
                )
    issued = list_certificates(uow, organisation_id, limit=10_000)
    return DemoSummary(imported, tuple(c.id for c in issued))


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    password: str | None  # set only when the account was created just now: shown once


DEMO_ADMIN = ("admin@example.org", "Demo Admin")
DEMO_LEARNER = "L0001"  # the first demo learner (Aarav Sharma) gets a learner account


def ensure_demo_accounts(uow: SqlAlchemyUnitOfWork, organisation_id: UUID) -> list[DemoAccount]:
    """An admin and a learner account linked to the first demo learner, with generated
    passwords. Safe to run again: existing accounts are kept and their passwords not shown."""
    demo = Principal.at_shell(organisation_id, "demo")
    existing = {u.email for u in list_users(uow, demo)}
    learner = resolve_learner(uow, organisation_id, DEMO_LEARNER)
    wanted = [
        (DEMO_ADMIN[0], DEMO_ADMIN[1], Role.ADMIN, None),
        (learner.email or "learner1@example.org", learner.name, Role.LEARNER, learner.id),
    ]
    accounts = []
    for email, name, role, learner_id in wanted:
        if email in existing:
            accounts.append(DemoAccount(email, role, None))
            continue
        password = generate_password()
        create_user(
            uow,
            demo,
            email=email,
            display_name=name,
            role=role,
            password=password,
            learner_id=learner_id,
        )
        accounts.append(DemoAccount(email, role, password))
    return accounts
