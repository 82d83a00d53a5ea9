"""Every helper of the client against the real stack."""

import datetime
import uuid

import pytest

import studiograph
from conftest import PASSWORD, login, today


def test_login_gives_a_bearer_client_that_knows_the_viewer(artist):
    me = artist.me()
    assert me["user"]["email"] == "artist@northwind.test"
    assert me["user"]["roles"] == ["ARTIST"]
    assert me["tenant"]["slug"] == "northwind"
    assert me["employee"]["displayName"]


def test_url_may_end_with_graphql(url):
    client = studiograph.Client.login(url + "/graphql/", "sup@northwind.test", PASSWORD)
    assert client.url == url
    assert client.me()["user"]["email"] == "sup@northwind.test"


def test_api_token_from_create_api_token_authenticates_a_client(url, artist):
    created = artist.create_api_token("pytest shelf", ["production:read", "production:write"])
    assert created["token"].startswith("sgp_")
    assert created["apiToken"]["scopes"] == ["production:read", "production:write"]
    client = studiograph.Client(url, api_token=created["token"])
    assert client.me()["user"]["email"] == "artist@northwind.test"
    # The same client traded for short-lived access tokens still works.
    client.exchange_api_token()
    assert client._credentials.token.count(".") == 2  # a JWT now
    assert client.me()["user"]["email"] == "artist@northwind.test"


def test_from_env_reads_url_and_token(url, artist, monkeypatch):
    token = artist.create_api_token("pytest env", ["production:read"])["token"]
    monkeypatch.setenv("STUDIOGRAPH_URL", url)
    monkeypatch.setenv("STUDIOGRAPH_API_TOKEN", token)
    assert studiograph.Client.from_env().me()["user"]["email"] == "artist@northwind.test"


def test_expired_access_token_is_renewed_from_the_password(url):
    client = login(url, "artist")
    # Make the client believe its token expired: the next request renews it first.
    old = client._credentials.token
    client._credentials.expires_at = 0
    assert client.me()["user"]["email"] == "artist@northwind.test"
    assert client._credentials.token and client._credentials.expires_at > 0
    # And a token the server refuses (here: garbage) is renewed once on UNAUTHENTICATED.
    client._credentials.token = old[:-4] + "AAAA"
    client._credentials.expires_at = 2 ** 40
    assert client.me()["user"]["email"] == "artist@northwind.test"


def test_my_tasks_lists_assigned_tasks_with_status_filter(artist, task, project):
    mine = artist.my_tasks()
    found = [t for t in mine if t["id"] == task["id"]]
    assert len(found) == 1
    t = found[0]
    assert t["status"] == "READY"
    assert t["shot"]["code"] == project["shot"]["code"]
    assert t["project"]["code"] == project["code"]
    assert {"to": "IN_PROGRESS", "label": "Start"} in t["availableTransitions"]
    assert task["id"] in [x["id"] for x in artist.my_tasks(status="READY")]
    assert task["id"] not in [x["id"] for x in artist.my_tasks(status=["APPROVED", "ON_HOLD"])]


def test_my_tasks_is_empty_for_an_account_without_tasks(url):
    hr = login(url, "hr")
    assert hr.my_tasks(status="IN_PROGRESS") == []


def test_set_task_status_moves_the_task(artist, task):
    moved = artist.set_task_status(task["id"], "IN_PROGRESS", comment="starting")
    assert moved["id"] == task["id"]
    assert moved["status"] == "IN_PROGRESS"
    assert {t["to"] for t in moved["availableTransitions"]} >= {"READY", "PENDING_REVIEW"}
    assert artist.task(task["id"])["status"] == "IN_PROGRESS"


def test_publish_version_creates_the_next_version(artist, task, stack):
    v1 = artist.publish_version(task["id"], "/jobs/py/anim/v001.ma", comment="blocking", frame_start=1001, frame_end=1024)
    assert v1["number"] == 1
    assert v1["path"] == "/jobs/py/anim/v001.ma"
    assert v1["comment"] == "blocking"
    assert (v1["frameStart"], v1["frameEnd"]) == (1001, 1024)
    assert v1["status"] == "PENDING_REVIEW"
    assert v1["task"]["status"] == "PENDING_REVIEW"
    v2 = artist.publish_version(task["id"], "/jobs/py/anim/v002.ma")
    assert v2["number"] == 2 and v2["comment"] is None and v2["frameStart"] is None
    assert [v["number"] for v in artist.task(task["id"])["versions"]] == [1, 2]


def test_publish_version_with_the_same_key_returns_the_first_version(artist, task, stack):
    key = "pytest-" + uuid.uuid4().hex
    first = artist.publish_version(task["id"], "/jobs/py/a.ma", idempotency_key=key)
    again = artist.publish_version(task["id"], "/jobs/py/a.ma", idempotency_key=key)
    assert again["id"] == first["id"]
    rows = stack.sql("production", "SELECT count(*) FROM versions WHERE task_id = '%s'" % task["id"])
    assert rows == [["1"]]


def test_log_time_defaults_to_today(artist, task):
    log = artist.log_time(task["id"], 1.5, note="layout fixes")
    assert log["taskId"] == task["id"]
    assert log["hours"] == 1.5
    assert log["date"] == today()
    assert log["note"] == "layout fixes"
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    log2 = artist.log_time(task["id"], "0.25", date=yesterday)
    assert log2["date"] == yesterday.isoformat() and log2["hours"] == 0.25


def test_submit_render_takes_range_and_name_from_the_shot(artist, project):
    job = artist.submit_render(project["shot"]["id"], "echo {frame_start}-{frame_end}", chunk_size=8, priority=70)
    assert job["name"] == "%s render" % project["shot"]["code"]
    assert (job["frameStart"], job["frameEnd"]) == (1001, 1024)
    assert job["chunkSize"] == 8 and job["priority"] == 70
    assert job["status"] == "QUEUED"
    assert job["progress"] == {"done": 0, "total": 3}
    assert job["shot"]["id"] == project["shot"]["id"]
    assert job["submittedBy"]["displayName"]


def test_submit_render_with_explicit_range_and_task(artist, project, task):
    job = artist.submit_render(project["shot"]["id"], "render {frame}", frame_start=1001, frame_end=1001,
                               name="one frame", task_id=task["id"], pool="cpu")
    assert (job["name"], job["frameStart"], job["frameEnd"], job["pool"]) == ("one frame", 1001, 1001, "cpu")
    assert job["task"]["id"] == task["id"]


def test_render_job_reads_a_job_and_none_when_missing(artist, project):
    job = artist.submit_render(project["shot"]["id"], "echo {frame}", chunk_size=24)
    read = artist.render_job(job["id"])
    assert read["id"] == job["id"]
    assert read["progress"]["total"] == 1
    assert len(read["tasks"]) == 1 and read["tasks"][0]["frameStart"] == 1001
    assert read["cost"]["currency"]
    assert artist.render_job(str(uuid.uuid4())) is None


def test_task_returns_none_for_an_unknown_id(artist):
    assert artist.task(str(uuid.uuid4())) is None


def test_execute_returns_data_and_raises_with_partial_data(artist, artist_employee):
    data = artist.execute("query($id: ID!) { employee(id: $id) { id salary { currency } } }", {"id": artist_employee["id"]})
    assert data["employee"]["id"] == artist_employee["id"]
    assert data["employee"]["salary"]["currency"]  # their own salary
    # Someone else's salary: FORBIDDEN on that field, the rest of the response intact.
    other = artist.execute("{ employees(first: 5, filter: {search: \"hr@\"}) { nodes { id email } } }")["employees"]["nodes"]
    assert other
    with pytest.raises(studiograph.Forbidden) as err:
        artist.execute("query($id: ID!) { employee(id: $id) { id email salary { amount } } }", {"id": other[0]["id"]})
    assert err.value.path == ["employee", "salary"]
    assert err.value.data["employee"]["email"] == other[0]["email"]
    raw = artist.execute_raw("query($id: ID!) { employee(id: $id) { id email salary { amount } } }", {"id": other[0]["id"]})
    assert raw["data"]["employee"]["salary"] is None
    assert raw["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_execute_with_operation_name_picks_the_operation(artist):
    doc = "query A { me { user { email } } } query B { me { tenant { slug } } }"
    assert artist.execute(doc, operation_name="B") == {"me": {"tenant": {"slug": "northwind"}}}
