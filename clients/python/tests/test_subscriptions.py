"""Subscriptions over SSE: the events log with resume after a forced disconnect (nothing lost,
nothing repeated, checked against production's event_log table), resume from a saved cursor,
generic subscriptions, errors and close()."""

import threading
import uuid

import pytest

import studiograph
from conftest import PASSWORD, login
from proxy import wait_for


class Collector(object):
    """Iterates a subscription in a thread, keeping what it yields and how it ended."""

    def __init__(self, sub):
        self.sub = sub
        self.items = []
        self.errors = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for item in self.sub:
                self.items.append(item)
        except Exception as e:  # noqa: kept for the assertions
            self.errors.append(e)

    def stop(self):
        self.sub.close()
        self.thread.join(10)
        assert not self.thread.is_alive(), "close() did not end the iteration"


class Toggler(object):
    """Makes events: moves a task back and forth between READY and IN_PROGRESS."""

    def __init__(self, client, task_id):
        self.client, self.task_id, self.status = client, task_id, "READY"

    def __call__(self, n=1):
        for _ in range(n):
            self.status = "IN_PROGRESS" if self.status == "READY" else "READY"
            self.client.set_task_status(self.task_id, self.status)


def log_ids_after(stack, tenant, event_id):
    """Production's event log for ``tenant`` after the event ``event_id``, in order."""
    rows = stack.sql("production",
                     "SELECT id FROM event_log WHERE tenant_id = '%s' AND seq > (SELECT seq FROM event_log WHERE id = '%s') "
                     "ORDER BY seq" % (tenant, event_id))
    return [r[0] for r in rows]


def first_event(collector, make_event):
    """Makes events until the subscription delivers one (it is then certainly live)."""
    for _ in range(40):
        make_event()
        try:
            wait_for(lambda: collector.items, timeout=0.5)
            return collector.items[0]
        except AssertionError:
            continue
    raise AssertionError("the subscription delivered nothing: %r" % collector.errors)


def test_events_resume_after_a_forced_disconnect_with_no_loss_or_repeat(proxy, stack, artist, task):
    admin = studiograph.Client.login(proxy.url, "admin@northwind.test", PASSWORD, backoff=0.1, max_backoff=0.5)
    tenant = admin.me()["tenant"]["id"]
    collector = Collector(admin.events())
    toggle = Toggler(artist, task["id"])
    first = first_event(collector, toggle)

    def caught_up():
        expected = log_ids_after(stack, tenant, first["id"])
        got = [e["id"] for e in collector.items[1:]]
        return expected if got == expected else None

    toggle(4)
    before_cut = wait_for(caught_up, timeout=30, message="the events before the cut")
    assert len(before_cut) >= 4

    # Cut the stream and keep the client out while more events are committed to the log.
    proxy.paused = True
    proxy.cut()
    toggle(5)
    wait_for(lambda: len(log_ids_after(stack, tenant, first["id"])) >= len(before_cut) + 5, timeout=30,
             message="the events made during the disconnection to reach the log")
    wait_for(lambda: proxy.refused >= 1, message="a reconnection attempt")
    during = log_ids_after(stack, tenant, first["id"])[len(before_cut):]
    assert not set(during) & set(e["id"] for e in collector.items)  # the client really was away
    proxy.paused = False

    toggle(4)
    expected = wait_for(caught_up, timeout=30, message="every event after the reconnection")
    collector.stop()
    assert collector.errors == []
    ids = [e["id"] for e in collector.items]
    assert len(ids) == len(set(ids)), "an event was repeated"
    assert ids[1:] == expected, "an event was lost or reordered"
    assert set(during) <= set(ids)
    assert len(expected) >= len(before_cut) + 9
    assert collector.sub.reconnects >= 1 and proxy.cuts == 1
    assert collector.sub.cursor == collector.items[-1]["cursor"]
    types = set(e["type"] for e in collector.items)
    assert "task.status_changed" in types
    assert all(e["tenantId"] == tenant for e in collector.items)


def test_a_new_subscription_resumes_after_a_saved_cursor(stack, admin, artist, task):
    tenant = admin.me()["tenant"]["id"]
    live = Collector(admin.events(types=["task.*"]))
    toggle = Toggler(artist, task["id"])
    first = first_event(live, toggle)
    toggle(3)
    wait_for(lambda: len(live.items) >= 4, timeout=30, message="four task events")
    live.stop()
    # Later, another process picks up from the first event's cursor: it gets the same events.
    resumed = Collector(admin.events(after=first["cursor"], types=["task.*"]))
    wait_for(lambda: len(resumed.items) >= 3, timeout=30, message="the replay")
    resumed.stop()
    assert [e["id"] for e in resumed.items[:3]] == [e["id"] for e in live.items[1:4]]
    assert all(e["type"].startswith("task.") for e in resumed.items)
    assert resumed.items[0]["payload"]


def test_subscribe_delivers_task_changes_with_fields_from_other_subgraphs(url, artist, task, proxy):
    client = studiograph.Client.login(proxy.url, "sup@northwind.test", PASSWORD, backoff=0.1, max_backoff=0.5)
    sub = client.subscribe(
        "subscription($p: ID) { taskChanged(projectId: $p) { kind task { id status assignee { displayName } } } }",
        {"p": None},
    )
    assert not sub.resumable  # no $after: it resumes live
    collector = Collector(sub)
    toggle = Toggler(artist, task["id"])
    event = first_event(collector, toggle)["taskChanged"]
    assert event["kind"] == "STATUS_CHANGED"
    assert event["task"]["id"] == task["id"]
    assert event["task"]["assignee"]["displayName"] == artist.me()["employee"]["displayName"]
    # After a cut it reconnects and goes on delivering.
    proxy.cut()
    count = len(collector.items)
    wait_for(lambda: sub.reconnects >= 1, message="a reconnection")
    for _ in range(40):
        toggle()
        try:
            wait_for(lambda: len(collector.items) > count, timeout=0.5)
            break
        except AssertionError:
            continue
    collector.stop()
    assert len(collector.items) > count and collector.errors == []


def test_a_bad_cursor_raises_bad_user_input(admin):
    sub = admin.events(after="not-a-cursor")
    with pytest.raises(studiograph.BadUserInput):
        next(iter(sub))
    assert sub.reconnects == 0


def test_subscribing_without_credentials_raises_unauthenticated(url):
    sub = studiograph.Client(url, api_token="sgp_" + "y" * 40).events()
    with pytest.raises(studiograph.Unauthenticated):
        next(sub)


def test_a_token_without_the_scope_cannot_subscribe(url, artist):
    token = artist.create_api_token("render only", ["render:read"])["token"]
    sub = studiograph.Client(url, api_token=token).events()
    with pytest.raises(studiograph.Forbidden):
        next(sub)


def test_close_from_another_thread_ends_the_iteration(admin):
    collector = Collector(admin.events(types=["nothing.will.match." + uuid.uuid4().hex]))
    wait_for(lambda: collector.sub.connected, message="the stream to open")
    collector.stop()
    assert collector.items == [] and collector.errors == []


def test_events_without_reconnect_raise_when_the_stream_breaks(proxy):
    client = studiograph.Client.login(proxy.url, "admin@northwind.test", PASSWORD)
    collector = Collector(client.events(reconnect=False))
    wait_for(lambda: collector.sub.connected, message="the stream to open")
    proxy.cut()
    collector.thread.join(10)
    assert len(collector.errors) == 1 and isinstance(collector.errors[0], studiograph.TransportError)
