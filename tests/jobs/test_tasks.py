"""Issuance through a real broker: Redis, PostgreSQL and ``certmint worker`` processes.

``certmint issue`` (and the API, and the admin pages' "Issue now") plans the job and queues one
task per chunk; the workers claim the chunks; the database holds exactly one certificate per
eligible learner, whoever ran what.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, func, select, text

from certmint.bootstrap import bootstrap
from certmint.config import load_settings
from certmint.domain.ids import parse_url_id, url_id
from certmint.jobs.celery_app import quiet_after
from certmint.jobs.tasks import ISSUE_CHUNK
from certmint.storage.tables import AuditEventRow, CertificateRow, JobChunkRow, JobRow
from certmint.web.app import create_app
from tests.conftest import ThrowawayPostgres
from tests.factories import enrolment_csv, enrolment_row
from tests.instances import counts, prepare, run

pytestmark = pytest.mark.slow

LEARNERS = 3_000  # three chunks of 1,000 (and an empty last one)
# The batches the tests issue, named for their learners: a test's chunks follow from its size.
SIZES = (LEARNERS, 2_000, 1_500, 600)


def batch(learners: int) -> str:
    return f"B{learners}"


@pytest.fixture(scope="module")
def prepared(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[dict[str, str]]:
    """An instance prepared once for the module (a minute of ``certmint`` processes): every
    size's batch of completed learners with a "Completion" achievement. Tests use copies."""
    path = tmp_path_factory.mktemp("prepared")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env["CERTMINT_HOME"] = str(path / "home")
    with ThrowawayPostgres(postgres_server) as url:
        env["CERTMINT_DATABASE_URL"] = url
        prepare(env, path, {batch(size): size for size in SIZES})
        yield env


@pytest.fixture
def on_broker(
    prepared: dict[str, str], tmp_path: Path, postgres_server: str, redis_url: str
) -> Iterator[dict[str, str]]:
    """A copy of the prepared instance of the test's own (its data directory, and its database
    copied by PostgreSQL), with jobs going through an empty Redis database."""
    env = dict(prepared)
    env["CERTMINT_HOME"] = str(tmp_path / "home")
    shutil.copytree(prepared["CERTMINT_HOME"], env["CERTMINT_HOME"])
    env["CERTMINT_BROKER_URL"] = redis_url
    with redis.Redis.from_url(redis_url) as broker:
        broker.flushdb()  # nothing left over by earlier tests (or anyone sharing the server)
    with ThrowawayPostgres(postgres_server, template=prepared["CERTMINT_DATABASE_URL"]) as url:
        env["CERTMINT_DATABASE_URL"] = url
        yield env


def start_worker(env: dict[str, str], log: Path, concurrency: int = 1) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "certmint", "worker", "--concurrency", str(concurrency)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_ready(worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        assert worker.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)


def wait_for_job(env: dict[str, str], job_id: str) -> tuple[str, int]:
    """The job's final status and how many learners it found already holding a certificate."""
    engine = create_engine(env["CERTMINT_DATABASE_URL"])
    deadline = time.monotonic() + 120
    try:
        while True:
            with engine.connect() as connection:
                status = connection.scalar(select(JobRow.status).where(JobRow.id == job_id))
                held = connection.scalar(
                    select(func.sum(JobChunkRow.already_held)).where(JobChunkRow.job_id == job_id)
                )
            if status in ("succeeded", "failed", "cancelled"):
                return status, held or 0
            assert time.monotonic() < deadline, f"job {job_id} is still {status}"
            time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.mark.timeout(600)
def test_two_workers_issue_a_batch_exactly_once(on_broker: dict[str, str], tmp_path: Path) -> None:
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    workers = [start_worker(on_broker, log) for log in logs]
    try:
        for worker, log in zip(workers, logs, strict=True):
            wait_ready(worker, log)
        result = json.loads(run(on_broker, "issue", "--batch", batch(LEARNERS), "--json").stdout)[0]
        # Again, without waiting: a new job, queued, that the workers find has nothing to do.
        queued = json.loads(
            run(on_broker, "issue", "--batch", batch(LEARNERS), "--no-wait", "--json").stdout
        )
        again = wait_for_job(on_broker, queued[0]["job_id"])
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand
        for worker in workers:
            worker.wait(60)

    assert queued[0]["status"] == "queued" and again == ("succeeded", LEARNERS)
    assert (result["considered"], result["issued"], result["not_eligible"]) == (
        LEARNERS,
        LEARNERS,
        0,
    )
    # one certificate per learner, a place in the revocation list each, no place shared
    assert counts(on_broker) == (LEARNERS, LEARNERS, LEARNERS, LEARNERS)
    engine = create_engine(on_broker["CERTMINT_DATABASE_URL"])
    with engine.connect() as connection:
        job = connection.execute(select(JobRow).where(JobRow.id == result["job_id"])).one()
        chunks = connection.execute(
            select(JobChunkRow.status).where(JobChunkRow.job_id == job.id)
        ).all()
    engine.dispose()
    assert (job.status, job.done, job.total) == ("succeeded", LEARNERS, LEARNERS)
    assert len(chunks) == LEARNERS // 1_000 + 1 and {status for (status,) in chunks} == {"done"}
    assert chunk_owners(on_broker, job.id) == {str(w.pid) for w in workers}, (
        "both workers executed chunks"
    )


@pytest.mark.timeout(300)
def test_a_killed_workers_chunk_is_redone_soon_after_its_lease(
    on_broker: dict[str, str], tmp_path: Path
) -> None:
    """SIGKILL the worker holding a chunk: its message comes back to the other worker once
    the lease (plus a little) has run out, not after Redis's default hour, and the chunk is
    redone without duplicating anything."""
    lease = 12
    learners = 2_000  # two chunks of 1,000 and an empty last one
    on_broker["CERTMINT_JOB_LEASE_SECONDS"] = str(lease)
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    workers = [start_worker(on_broker, log) for log in logs]
    victim, survivor = workers
    engine = create_engine(on_broker["CERTMINT_DATABASE_URL"])
    # Writing certificates waits for this lock: each worker's chunk stays claimed and unfinished
    # until the victim is dead, however fast the machine.
    blocker = engine.connect()
    try:
        for worker, log in zip(workers, logs, strict=True):
            wait_ready(worker, log)
        job_id = queue_held_back(on_broker, blocker, learners)
        held = wait_for_held_chunk(engine, job_id, victim, logs[0])
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        killed_at = time.monotonic()
        blocker.rollback()
        status, _ = wait_for_job(on_broker, job_id)
        took = time.monotonic() - killed_at
        with engine.connect() as connection:
            redone = connection.execute(
                select(JobChunkRow.status, JobChunkRow.owner, JobChunkRow.attempts).where(
                    JobChunkRow.id == held
                )
            ).one()
    finally:
        blocker.close()
        engine.dispose()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)

    assert status == "succeeded"
    # the survivor took the chunk over (a second claim) after its message came back
    assert redone.status == "done" and redone.attempts == 2
    assert str(redone.owner).split("/")[1] == str(survivor.pid)
    # the lease, the visibility timeout's margin over it, a sweep and the chunk's own work
    assert took < 2 * lease + 30, f"the killed worker's chunk came back after {took:.0f} s"
    # one certificate per learner, a place in the revocation list each, none shared
    assert counts(on_broker) == (learners, learners, learners, learners)


@pytest.mark.timeout(300)
def test_suspending_the_organisation_cancels_its_job_on_the_workers(
    on_broker: dict[str, str], tmp_path: Path
) -> None:
    """The worker is writing the job's first chunk (held back by a lock on the certificates)
    when the operator suspends the organisation: the suspension waits for that chunk, the next
    one writes nothing and the job ends cancelled; reinstating does not resume it, and issuing
    again awards the rest exactly once."""
    learners = 2_000  # two chunks of 1,000 and an empty last one
    log = tmp_path / "worker.log"
    worker = start_worker(on_broker, log)
    (organisation,) = json.loads(run(on_broker, "orgs", "list", "--json").stdout)
    engine = create_engine(on_broker["CERTMINT_DATABASE_URL"])
    blocker = engine.connect()
    try:
        wait_ready(worker, log)
        job_id = queue_held_back(on_broker, blocker, learners)
        wait_for_held_chunk(engine, job_id, worker, log)
        suspending = subprocess.Popen(
            [sys.executable, "-m", "certmint", "orgs", "update", organisation["slug"], "--suspend"],
            env=on_broker,
        )
        wait_for_lock_wait(engine, "UPDATE organisations")  # behind the chunk being written
        blocker.rollback()
        assert suspending.wait(60) == 0
        status, _ = wait_for_job(on_broker, job_id)
        run(on_broker, "orgs", "update", organisation["slug"], "--reinstate")
        time.sleep(1)  # a task left for the job would run now: it must write nothing
        with engine.connect() as connection:
            job = connection.execute(select(JobRow).where(JobRow.id == job_id)).one()
            chunks = connection.scalars(
                select(JobChunkRow.status).where(JobChunkRow.job_id == job_id)
            ).all()
        written = counts(on_broker)
        again = json.loads(run(on_broker, "issue", "--batch", batch(learners), "--json").stdout)
    finally:
        blocker.close()
        engine.dispose()
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)

    assert status == "cancelled"
    assert (job.status, job.error, job.done) == (
        "cancelled",
        "the organisation was suspended",
        1_000,
    )
    assert chunks.count("done") == 1 and len(chunks) == 3  # the later ones were refused
    assert written[0] == 1_000  # the first chunk only
    assert (again[0]["issued"], again[0]["already_held"]) == (1_000, 1_000)
    assert counts(on_broker) == (learners, learners, learners, learners)


def queue_held_back(env: dict[str, str], blocker: Connection, learners: int) -> str:
    """Queue a job for the batch of ``learners`` while ``blocker`` locks the certificates:
    writing them waits, so each chunk a worker claims stays claimed and unfinished until the
    blocker lets go. The job's id."""
    blocker.begin()
    blocker.execute(text("LOCK TABLE certificates IN SHARE MODE"))
    queued = json.loads(run(env, "issue", "--batch", batch(learners), "--no-wait", "--json").stdout)
    job_id: str = queued[0]["job_id"]
    return job_id


def wait_for_lock_wait(engine: Engine, statement: str) -> None:
    """Until a session runs ``statement`` and waits for a lock."""
    deadline = time.monotonic() + 60
    while True:
        with engine.connect() as connection:
            waiting = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND query LIKE :statement"
                ),
                {"statement": f"{statement}%"},
            )
        if waiting:
            return
        assert time.monotonic() < deadline, f"nobody waits to run {statement}"
        time.sleep(0.05)


@pytest.mark.timeout(300)
def test_a_job_whose_messages_were_lost_is_finished_by_the_workers(
    on_broker: dict[str, str], tmp_path: Path
) -> None:
    """The job is queued with no worker running, then the broker's database is flushed: no
    message is left. A worker started afterwards notices the job nobody touches and finishes
    it, without anyone running it again."""
    lease = 2
    learners = 1_500  # a chunk of 1,000 and one of 500
    on_broker["CERTMINT_JOB_LEASE_SECONDS"] = str(lease)
    broker = redis.Redis.from_url(on_broker["CERTMINT_BROKER_URL"])
    queued = json.loads(
        run(on_broker, "issue", "--batch", batch(learners), "--no-wait", "--json").stdout
    )
    queued_at = time.monotonic()
    job_id = queued[0]["job_id"]
    assert broker.llen("celery") == 2
    broker.flushdb()
    broker.close()
    log = tmp_path / "worker.log"
    worker = start_worker(on_broker, log)
    try:
        wait_ready(worker, log)
        status, _ = wait_for_job(on_broker, job_id)
        took = time.monotonic() - queued_at
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)

    assert status == "succeeded"
    # one certificate per learner, a place in the revocation list each, none shared
    assert counts(on_broker) == (learners, learners, learners, learners)
    assert chunk_owners(on_broker, job_id) == {str(worker.pid)}
    assert (requeued(on_broker, job_id), attempts(on_broker, job_id)) == (1, [1, 1])
    # quiet for quiet_after, noticed within a quarter of that, then two chunks' work
    settings = load_settings(home=Path(on_broker["CERTMINT_HOME"]), job_lease_seconds=lease)
    quiet = quiet_after(settings).total_seconds()
    assert took < quiet * 1.25 + 30, f"the job finished {took:.0f} s after it was queued"


@pytest.mark.timeout(300)
def test_a_job_waiting_in_a_long_queue_is_not_queued_again(
    on_broker: dict[str, str], tmp_path: Path
) -> None:
    """A job whose chunks wait behind others' messages is as quiet as one whose messages were
    lost; while messages wait in the queue, the workers send none again and redo nothing."""
    lease = 2
    learners = 2_000  # two chunks of 1,000, held by the worker's two processes; the empty
    # last one waits in the queue
    on_broker["CERTMINT_JOB_LEASE_SECONDS"] = str(lease)
    log = tmp_path / "worker.log"
    worker = start_worker(on_broker, log, concurrency=2)
    engine = create_engine(on_broker["CERTMINT_DATABASE_URL"])
    blocker = engine.connect()  # keeps both chunks unfinished, their job untouched
    try:
        wait_ready(worker, log)
        job_id = queue_held_back(on_broker, blocker, learners)
        deadline = time.monotonic() + 120
        while b"untouched for" not in log.read_bytes():
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)  # the sweep found the job quiet, and left it to its messages
        blocker.rollback()
        status, _ = wait_for_job(on_broker, job_id)
    finally:
        blocker.close()
        engine.dispose()
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)

    assert status == "succeeded"
    assert (requeued(on_broker, job_id), attempts(on_broker, job_id)) == (0, [1, 1, 1])
    # no message was sent again (a chunk's held message that outlives the visibility timeout
    # comes back to the queue as it was, with its task id)
    sent = set(re.findall(rf"Task {ISSUE_CHUNK}\[([-0-9a-f]+)\] received", log.read_text()))
    assert len(sent) == 3, sent
    # one certificate per learner, a place in the revocation list each, none shared
    assert counts(on_broker) == (learners, learners, learners, learners)


def requeued(env: dict[str, str], job_id: str) -> int:
    """How many times the workers re-queued the job's chunks."""
    engine = create_engine(env["CERTMINT_DATABASE_URL"])
    with engine.connect() as connection:
        found = connection.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.action == "job.requeued", AuditEventRow.subject_id == job_id)
        )
    engine.dispose()
    return found or 0


def attempts(env: dict[str, str], job_id: str) -> list[int]:
    """How many times each chunk of the job was claimed, in order."""
    engine = create_engine(env["CERTMINT_DATABASE_URL"])
    with engine.connect() as connection:
        found = connection.scalars(
            select(JobChunkRow.attempts)
            .where(JobChunkRow.job_id == job_id)
            .order_by(JobChunkRow.seq)
        ).all()
    engine.dispose()
    return list(found)


def wait_for_held_chunk(
    engine: Engine, job_id: str, worker: subprocess.Popen[bytes], log: Path
) -> object:
    """The chunk of 1,000 (not the empty last one) that ``worker`` has claimed and not finished."""
    deadline = time.monotonic() + 60
    while True:
        with engine.connect() as connection:
            held = connection.scalar(
                select(JobChunkRow.id).where(
                    JobChunkRow.job_id == job_id,
                    JobChunkRow.status == "running",
                    JobChunkRow.owner.like(f"%/{worker.pid}/%"),
                    JobChunkRow.upto_id.is_not(None),
                )
            )
        if held is not None:
            return held
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.05)


def chunk_owners(env: dict[str, str], job_id: object) -> set[str]:
    """The processes (pids) that finished the job's chunks."""
    engine = create_engine(env["CERTMINT_DATABASE_URL"])
    with engine.connect() as connection:
        owners = connection.scalars(select(JobChunkRow.owner).where(JobChunkRow.job_id == job_id))
        pids = {str(owner).split("/")[1] for owner in owners}
    engine.dispose()
    return pids


def poll(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, object]:
    """The job's progress once it has finished (the web process only reads it)."""
    deadline = time.monotonic() + 120
    while True:
        progress: dict[str, object] = client.get(url, headers=headers).json()
        if progress["status"] in ("succeeded", "failed"):
            return progress
        assert time.monotonic() < deadline, progress
        time.sleep(0.2)


def add_achievement(env: dict[str, str], learners: int, name: str, *options: str) -> None:
    """Another achievement for the batch, on the template its "Completion" uses."""
    (completion,) = json.loads(
        run(env, "achievements", "list", "--batch", batch(learners), "--json").stdout
    )
    run(
        env,
        "achievements",
        "add",
        "--batch",
        batch(learners),
        "--template",
        completion["template_version_id"],
        "--name",
        name,
        "--criteria",
        '{"completed": true}',
        *options,
    )


@pytest.mark.timeout(600)
def test_the_web_queues_jobs_for_the_workers(on_broker: dict[str, str], tmp_path: Path) -> None:
    """The API and "Issue now" plan the job and queue its chunks; the worker runs them, not
    the web process, and the progress the web shows is the worker's."""
    learners = 600  # chunks of 30: the progress bar's twenty steps
    add_achievement(on_broker, learners, "Merit")
    achievements = json.loads(
        run(on_broker, "achievements", "list", "--batch", batch(learners), "--json").stdout
    )
    merit = next(a for a in achievements if a["name"] == "Merit")
    completion = next(a for a in achievements if a["name"] == "Completion")
    token = json.loads(run(on_broker, "tokens", "create", "--name", "web", "--json").stdout)
    headers = {"Authorization": f"Bearer {token['token']}"}
    settings = load_settings(
        home=Path(on_broker["CERTMINT_HOME"]),
        database_url=on_broker["CERTMINT_DATABASE_URL"],
        broker_url=on_broker["CERTMINT_BROKER_URL"],
    )
    log = tmp_path / "worker.log"
    worker = None
    try:
        with TestClient(create_app(bootstrap(settings))) as client:
            # No worker yet: the job is planned and queued, and nothing in this process runs it.
            started = client.post(
                f"/api/v1/achievements/{url_id(uuid.UUID(completion['id']))}/issuance",
                headers=headers,
            )
            assert started.status_code == 202, started.text
            api_job = started.json()
            time.sleep(1)
            waiting = client.get(api_job["url"], headers=headers).json()
            assert (waiting["status"], waiting["done"], waiting["total"]) == (
                "running",
                0,
                learners,
            )
            issued = client.post(
                f"/admin/achievements/{url_id(uuid.UUID(merit['id']))}/issue",
                headers=headers,
                follow_redirects=False,
            )
            assert issued.status_code == 303, issued.text
            page_job = issued.headers["location"]

            worker = start_worker(on_broker, log)
            wait_ready(worker, log)
            api_done = poll(client, api_job["url"], headers)
            page_done = poll(client, f"{page_job}/progress", headers)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)

    assert (api_done["status"], api_done["done"], api_done["percent"]) == (
        "succeeded",
        learners,
        100,
    )
    assert page_done == {
        "status": "succeeded",
        "done": learners,
        "total": learners,
        "percent": 100,
        "finished": True,
        "error": False,
        # the outcome the workers recorded, as the job page counts it
        "issued": learners,
        "already_held": 0,
        "not_eligible": 0,
        "not_reached": 0,
    }
    assert worker is not None
    for job_id in (api_job["id"], page_job.rsplit("/", 1)[1]):
        assert chunk_owners(on_broker, parse_url_id(job_id)) == {str(worker.pid)}, (
            "the worker ran every chunk"
        )
    engine = create_engine(on_broker["CERTMINT_DATABASE_URL"])
    with engine.connect() as connection:
        per_achievement = dict(
            connection.execute(
                select(
                    CertificateRow.achievement_id,
                    func.count(func.distinct(CertificateRow.learner_id)),
                ).group_by(CertificateRow.achievement_id)
            ).all()
        )
    engine.dispose()
    assert {str(k): v for k, v in per_achievement.items()} == {
        completion["id"]: learners,
        merit["id"]: learners,
    }
    # one certificate per learner and achievement, one place each, none shared
    assert counts(on_broker) == (2 * learners, learners, 2 * learners, 2 * learners)


def test_a_worker_needs_a_broker(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env["CERTMINT_HOME"] = str(tmp_path / "home")
    result = run(env, "worker", check=False)
    assert result.returncode == 1
    assert "CERTMINT_BROKER_URL" in result.stderr


@pytest.mark.timeout(600)
def test_an_import_through_the_web_is_issued_by_the_workers(
    on_broker: dict[str, str], tmp_path: Path
) -> None:
    """The admin page's import triggers an automatic achievement: the page answers at once
    with the job, nothing is signed in the web process, and the worker started afterwards
    issues every new learner's certificate."""
    learners = 600
    add_achievement(on_broker, learners, "Automatic", "--auto")
    token = json.loads(run(on_broker, "tokens", "create", "--name", "web", "--json").stdout)
    headers = {"Authorization": f"Bearer {token['token']}"}
    rows = [enrolment_row(f"N{i:06d}", batch_id=batch(learners)) for i in range(learners)]
    settings = load_settings(
        home=Path(on_broker["CERTMINT_HOME"]),
        database_url=on_broker["CERTMINT_DATABASE_URL"],
        broker_url=on_broker["CERTMINT_BROKER_URL"],
    )
    log = tmp_path / "worker.log"
    worker = None
    try:
        with TestClient(create_app(bootstrap(settings))) as client:
            # No worker yet: the import answers with the job, which waits for one.
            answered = client.post(
                "/admin/import",
                files={"file": ("late.csv", enrolment_csv(rows), "text/csv")},
                headers=headers,
            )
            assert answered.status_code == 200, answered.text
            assert "Imported 600 rows." in answered.text
            assert "Automatic issuance started:" in answered.text
            found = re.search(r'href="[^"]*(/admin/jobs/[0-9a-f-]{36})">Automatic<', answered.text)
            assert found, answered.text
            job_url = found.group(1)
            time.sleep(1)
            waiting = client.get(f"{job_url}/progress", headers=headers).json()
            assert (waiting["status"], waiting["done"], waiting["total"]) == (
                "running",
                0,
                learners,
            )
            assert counts(on_broker)[0] == 0, "nothing was issued in the web process"

            worker = start_worker(on_broker, log)
            wait_ready(worker, log)
            done = poll(client, f"{job_url}/progress", headers)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)

    assert worker is not None
    assert (done["status"], done["issued"], done["not_eligible"]) == ("succeeded", learners, 0)
    job_id = uuid.UUID(job_url.rsplit("/", 1)[1])
    assert chunk_owners(on_broker, job_id) == {str(worker.pid)}, "the worker ran every chunk"
    # one certificate per new learner (the automatic achievement only), one place each
    assert counts(on_broker) == (learners, learners, learners, learners)
