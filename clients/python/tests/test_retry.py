"""Retries through a proxy that loses answers: the server commits, the client never hears back,
resends the very same request (same idempotencyKey) and gets the first result. Nothing is
created twice."""

import pytest

import studiograph
from conftest import PASSWORD


def through(proxy, who="artist", **options):
    """A client talking to the gateway through ``proxy``, with no connection open yet."""
    options.setdefault("backoff", 0.05)
    client = studiograph.Client.login(proxy.url, "%s@northwind.test" % who, PASSWORD, **options)
    client.close()  # the next request opens a new connection, which the proxy then handles
    return client


def count(stack, sql):
    return int(stack.sql("production", sql)[0][0])


def test_publish_retried_after_a_lost_answer_creates_one_version(proxy, task, stack, artist):
    client = through(proxy)
    proxy.drop_responses = 1
    before = client.requests_sent
    version = client.publish_version(task["id"], "/jobs/py/retry.ma", comment="once", frame_start=1, frame_end=2)
    assert proxy.dropped == 1  # the first answer was lost after the server committed
    assert client.requests_sent - before == 2  # and the client sent the same request again
    assert version["number"] == 1
    assert count(stack, "SELECT count(*) FROM versions WHERE task_id = '%s'" % task["id"]) == 1
    versions = artist.task(task["id"])["versions"]
    assert [(v["id"], v["number"], v["path"]) for v in versions] == [(version["id"], 1, "/jobs/py/retry.ma")]


def test_several_lost_answers_in_a_row_still_create_one_version(proxy, task, stack):
    client = through(proxy)
    proxy.drop_responses = 3
    version = client.publish_version(task["id"], "/jobs/py/retry3.ma")
    assert proxy.dropped == 3
    assert version["number"] == 1
    assert count(stack, "SELECT count(*) FROM versions WHERE task_id = '%s'" % task["id"]) == 1


def test_a_retried_submit_render_queues_one_job(proxy, project, stack):
    client = through(proxy)
    name = "retry job %s" % id(proxy)
    proxy.drop_responses = 1
    job = client.submit_render(project["shot"]["id"], "echo {frame}", frame_start=1, frame_end=4, name=name)
    assert proxy.dropped == 1
    rows = stack.sql("render", "SELECT id FROM jobs WHERE name = '%s'" % name)
    assert rows == [[job["id"]]]


def test_a_retried_log_time_logs_once(proxy, task, stack):
    client = through(proxy)
    proxy.drop_responses = 1
    log = client.log_time(task["id"], 2.0, note="retried")
    assert proxy.dropped == 1
    assert count(stack, "SELECT count(*) FROM time_logs WHERE task_id = '%s'" % task["id"]) == 1
    assert log["hours"] == 2.0


def test_a_retried_transition_is_recognised_by_its_outcome(proxy, task, artist):
    client = through(proxy)
    proxy.drop_responses = 1
    moved = client.set_task_status(task["id"], "IN_PROGRESS")
    assert proxy.dropped == 1
    # The resent transitionTask was refused (already IN_PROGRESS); the client saw the task in
    # the target status and returned it instead of raising.
    assert moved["status"] == "IN_PROGRESS"
    assert artist.task(task["id"])["status"] == "IN_PROGRESS"


def test_a_mutation_without_idempotency_key_is_not_resent(proxy, task, stack):
    client = through(proxy)
    proxy.drop_responses = 1
    with pytest.raises(studiograph.TransportError) as err:
        client.execute("mutation($t: ID!) { addNote(taskId: $t, body: \"only once\") { id } }", {"t": task["id"]})
    assert err.value.attempts == 1
    # It did run: resending it would have written the note twice.
    assert count(stack, "SELECT count(*) FROM notes WHERE task_id = '%s' AND body = 'only once'" % task["id"]) == 1


def test_execute_resends_a_mutation_that_carries_an_idempotency_key(proxy, task, stack):
    client = through(proxy)
    proxy.drop_responses = 1
    data = client.execute(
        "mutation($input: PublishVersionInput!) { publishVersion(input: $input) { id number } }",
        {"input": {"taskId": task["id"], "path": "/jobs/raw.ma", "idempotencyKey": "raw-" + task["id"]}},
    )
    assert data["publishVersion"]["number"] == 1
    assert count(stack, "SELECT count(*) FROM versions WHERE task_id = '%s'" % task["id"]) == 1


def test_queries_are_retried_after_5xx(proxy, artist):
    client = through(proxy)
    proxy.fail_with_503 = 2
    before = client.requests_sent
    assert client.me()["user"]["email"] == "artist@northwind.test"
    assert client.requests_sent - before == 3


def test_retries_give_up_with_transport_error(proxy):
    client = through(proxy, max_retries=2)
    proxy.paused = True
    with pytest.raises(studiograph.TransportError) as err:
        client.me()
    assert err.value.attempts == 3
    assert proxy.refused >= 3  # a send that fails at once is tried on a new connection too
