"""Each contract error code, provoked on the real server, raises its own exception class
carrying the message, code and path."""

import signal
import time
import uuid

import pytest

import studiograph
from conftest import PASSWORD, login
from test_stack import TestStack


def test_every_contract_code_has_a_class():
    codes = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "TRANSITION_NOT_ALLOWED",
             "ASSIGNEE_UNAVAILABLE", "QUOTA_EXCEEDED", "RATE_LIMITED", "QUERY_TOO_COMPLEX",
             "PERSISTED_QUERY_NOT_FOUND", "SUBGRAPH_UNAVAILABLE", "INTERNAL"]
    assert sorted(studiograph.ERROR_CLASSES) == sorted(codes)
    for code, cls in studiograph.ERROR_CLASSES.items():
        assert issubclass(cls, studiograph.GraphQLError) and cls.code == code
        assert getattr(studiograph, cls.__name__) is cls


def test_forbidden_transition_raises_transition_not_allowed(artist, task):
    with pytest.raises(studiograph.TransitionNotAllowed) as err:
        artist.set_task_status(task["id"], "APPROVED")
    e = err.value
    assert e.code == "TRANSITION_NOT_ALLOWED"
    assert e.path == ["transitionTask"]
    assert "READY" in e.message and "APPROVED" in e.message
    assert e.status == 200
    assert str(e).startswith("[TRANSITION_NOT_ALLOWED] ")
    assert artist.task(task["id"])["status"] == "READY"


def test_publishing_on_a_waiting_task_is_not_allowed(artist, sup, new_task, project):
    upstream = new_task()
    waiting = sup.execute(
        "mutation($input: CreateTaskInput!) { createTask(input: $input) { id status } }",
        {"input": {"shotId": project["shot"]["id"], "name": "Comp", "type": "COMPOSITING", "dependsOn": [upstream["id"]]}},
    )["createTask"]
    assert waiting["status"] == "WAITING"
    with pytest.raises(studiograph.TransitionNotAllowed) as err:
        sup.publish_version(waiting["id"], "/x")
    assert err.value.path == ["publishVersion"]


def test_a_role_without_the_right_raises_forbidden(artist):
    with pytest.raises(studiograph.Forbidden) as err:
        artist.execute('mutation { createProject(input: {code: "NOPE", name: "x"}) { id } }')
    assert err.value.code == "FORBIDDEN" and err.value.path == ["createProject"]
    assert "SUPERVISOR" in err.value.message


def test_a_token_without_the_scope_raises_forbidden(url, artist):
    token = artist.create_api_token("read only", ["production:read"])["token"]
    reader = studiograph.Client(url, api_token=token)
    tasks = reader.my_tasks()
    assert tasks
    with pytest.raises(studiograph.Forbidden) as err:
        reader.publish_version(tasks[0]["id"], "/nope")
    assert "production:write" in err.value.message


def test_unknown_task_raises_not_found(artist):
    with pytest.raises(studiograph.NotFound) as err:
        artist.set_task_status(str(uuid.uuid4()), "IN_PROGRESS")
    assert err.value.path == ["transitionTask"]


def test_bad_credentials_raise_unauthenticated(url):
    with pytest.raises(studiograph.Unauthenticated) as err:
        studiograph.Client.login(url, "artist@northwind.test", "not the password")
    assert err.value.status == 401
    with pytest.raises(studiograph.Unauthenticated):
        studiograph.Client(url, api_token="sgp_" + "x" * 40).me()
    with pytest.raises(studiograph.Unauthenticated):
        studiograph.Client(url).me()


def test_invalid_input_and_invalid_documents_raise_bad_user_input(artist, task):
    with pytest.raises(studiograph.BadUserInput) as err:
        artist.log_time(task["id"], 30)
    assert err.value.path == ["logTime"] and "24" in err.value.message
    with pytest.raises(studiograph.BadUserInput) as err:
        artist.execute("{ noSuchField }")
    assert err.value.status == 400 and "noSuchField" in err.value.message


def test_same_idempotency_key_with_other_input_raises_conflict(artist, task):
    key = "pytest-" + uuid.uuid4().hex
    artist.publish_version(task["id"], "/jobs/a.ma", idempotency_key=key)
    with pytest.raises(studiograph.Conflict) as err:
        artist.publish_version(task["id"], "/jobs/b.ma", idempotency_key=key)
    assert err.value.path == ["publishVersion"]


def test_assigning_an_unknown_person_raises_assignee_unavailable(sup, task):
    with pytest.raises(studiograph.AssigneeUnavailable) as err:
        sup.execute("mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { id } }",
                    {"t": task["id"], "e": str(uuid.uuid4())})
    assert err.value.path == ["assignTask"]


def test_leave_over_the_balance_raises_quota_exceeded_with_details(url):
    artist = login(url, "artist")
    with pytest.raises(studiograph.QuotaExceeded) as err:
        artist.execute("mutation($i: RequestLeaveInput!) { requestLeave(input: $i) { id } }",
                       {"i": {"type": "VACATION", "startDate": "2031-01-06", "endDate": "2031-06-27"}})
    assert err.value.details["remaining"] < err.value.details["requested"]


def test_a_too_deep_query_raises_query_too_complex(artist):
    deep = "{ me { employee " + "{ manager " * 16 + "{ id }" + " }" * 16 + " } }"
    with pytest.raises(studiograph.QueryTooComplex) as err:
        artist.execute(deep)
    assert err.value.status == 400 and "depth" in err.value.message


def test_an_unknown_persisted_query_raises_persisted_query_not_found(artist):
    with pytest.raises(studiograph.PersistedQueryNotFound):
        artist.execute(None, extensions={"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}})


def test_several_errors_are_all_kept(artist, artist_employee):
    others = artist.execute('{ employees(first: 3, filter: {search: "northwind"}) { nodes { id } } }')["employees"]["nodes"]
    others = [o["id"] for o in others if o["id"] != artist_employee["id"]][:2]
    assert len(others) == 2
    with pytest.raises(studiograph.Forbidden) as err:
        artist.execute("query($a: ID!, $b: ID!) { a: employee(id: $a) { salary { amount } } b: employee(id: $b) { salary { amount } } }",
                       {"a": others[0], "b": others[1]})
    assert sorted(tuple(e.path) for e in err.value.errors) == [("a", "salary"), ("b", "salary")]
    assert all(isinstance(e, studiograph.Forbidden) for e in err.value.errors)


@pytest.fixture(scope="module")
def strict_stack():
    """A second stack with a tiny rate limit (5 requests per 2 s per principal)."""
    env = {"GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "5", "GATEWAY_RATE_LIMIT_WINDOW_SECS": "2"}
    with TestStack(extra_env=env) as s:
        yield s


def test_rate_limit_raises_rate_limited_with_retry_after(strict_stack):
    client = studiograph.Client.login(strict_stack.gateway_url, "artist@northwind.test", PASSWORD, max_retries=0)
    with pytest.raises(studiograph.RateLimited) as err:
        for _ in range(10):
            client.me()
    assert err.value.status == 429
    assert err.value.retry_after >= 1


def test_rate_limited_requests_are_retried_after_retry_after(strict_stack):
    time.sleep(2.5)  # a fresh window
    client = studiograph.Client.login(strict_stack.gateway_url, "sup@northwind.test", PASSWORD, backoff=0.05)
    for _ in range(8):
        assert client.me()["user"]["email"] == "sup@northwind.test"
    # 8 answers, but more requests: the refused ones were sent again after Retry-After.
    assert client.requests_sent > 1 + 8


def test_a_subgraph_down_raises_subgraph_unavailable_after_retries(strict_stack):
    time.sleep(2.5)
    client = studiograph.Client.login(strict_stack.gateway_url, "wrangler@northwind.test", PASSWORD,
                                      max_retries=2, backoff=0.05)
    assert client.execute("{ renderWorkers { id } }") is not None
    render = strict_stack.process("render")
    render.send_signal(signal.SIGTERM)
    render.wait(timeout=30)
    before = client.requests_sent
    with pytest.raises(studiograph.SubgraphUnavailable) as err:
        client.execute("{ renderWorkers { id } }")
    assert client.requests_sent - before == 3  # the first attempt and two retries
    assert err.value.code == "SUBGRAPH_UNAVAILABLE"
    # A mutation without an idempotency key is not resent: it may have run.
    before = client.requests_sent
    with pytest.raises(studiograph.SubgraphUnavailable):
        client.execute('mutation { registerRenderWorker(input: {hostname: "n1", pool: "cpu", cores: 4}) { id } }')
    assert client.requests_sent - before == 1
