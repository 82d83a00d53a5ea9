"""Fixtures: one private stack for the session (scripts/test_stack.py), demo-user clients, fresh
tasks, and a TCP proxy that misbehaves on demand."""

import datetime
import os
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PACKAGE_ROOT))
sys.path.insert(0, os.path.join(REPO, "scripts"))
sys.path.insert(0, HERE)

import studiograph  # noqa: E402
from test_stack import TestStack  # noqa: E402
from proxy import Proxy  # noqa: E402

PASSWORD = "studiograph-dev"


@pytest.fixture(scope="session")
def stack():
    with TestStack() as s:
        yield s


@pytest.fixture(scope="session")
def url(stack):
    return stack.gateway_url


def login(url, who, **options):
    return studiograph.Client.login(url, "%s@northwind.test" % who, PASSWORD, **options)


@pytest.fixture(scope="session")
def admin(url):
    return login(url, "admin")


@pytest.fixture(scope="session")
def sup(url):
    return login(url, "sup")


@pytest.fixture(scope="session")
def artist(url):
    return login(url, "artist")


@pytest.fixture(scope="session")
def artist_employee(artist):
    return artist.me()["employee"]


@pytest.fixture(scope="session")
def project(admin):
    """A project of this session with one shot (frames 1001-1024)."""
    code = "PY" + uuid.uuid4().hex[:6].upper()
    p = admin.execute(
        "mutation($input: CreateProjectInput!) { createProject(input: $input) { id code } }",
        {"input": {"code": code, "name": "Python client tests"}},
    )["createProject"]
    shot = admin.execute(
        "mutation($input: CreateShotInput!) { createShot(input: $input) { id code frameStart frameEnd } }",
        {"input": {"projectId": p["id"], "code": "SQ900_SH%s" % uuid.uuid4().hex[:4].upper(), "frameStart": 1001, "frameEnd": 1024}},
    )["createShot"]
    p["shot"] = shot
    return p


@pytest.fixture
def new_task(sup, project, artist_employee):
    """A factory of fresh tasks on the session's shot, assigned to the artist (status READY)."""

    def make(name=None, task_type="ANIMATION", assign=True, due=None):
        task = sup.execute(
            "mutation($input: CreateTaskInput!) { createTask(input: $input) { id name status } }",
            {"input": {"shotId": project["shot"]["id"], "name": name or "Task %s" % uuid.uuid4().hex[:6],
                       "type": task_type, "dueDate": due}},
        )["createTask"]
        if assign:
            sup.execute(
                "mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { id } }",
                {"t": task["id"], "e": artist_employee["id"]},
            )
        return task

    return make


@pytest.fixture
def task(new_task):
    return new_task()


@pytest.fixture
def proxy(url):
    p = Proxy(url)
    yield p
    p.close()


def today():
    return datetime.date.today().isoformat()
