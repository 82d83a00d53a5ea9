"""The client's pure parts, without a server: operation detection, SSE framing, error mapping,
timestamps."""

import io

import pytest

import studiograph
from studiograph import _graphql
from studiograph._sse import read_events
from studiograph.client import _parse_rfc3339
from studiograph.errors import error_from_graphql


@pytest.mark.parametrize("doc,name,kind", [
    ("{ me { user { id } } }", None, "query"),
    ("query Q { me { user { id } } }", None, "query"),
    ("mutation($i: PublishVersionInput!) { publishVersion(input: $i) { id } }", None, "mutation"),
    ("subscription { events { id } }", None, "subscription"),
    ("# mutation in a comment\nquery { a }", None, "query"),
    ('query { a(s: "mutation { x }") }', None, "query"),
    ('query Q($f: TaskFilter = {status: [READY]}) { tasks(filter: $f) { totalCount } }', None, "query"),
    ("fragment F on Task { id } mutation M { transitionTask(taskId: 1, to: READY) { ...F } }", None, "mutation"),
    ("query A { a } mutation B { b }", "B", "mutation"),
    ("query A { a } mutation B { b }", "A", "query"),
    ("query A { a } mutation B { b }", None, None),
    ('"""doc with mutation { }""" query { a }', None, "query"),
])
def test_operation_kind(doc, name, kind):
    assert _graphql.operation_kind(doc, name) == kind


def test_idempotency_key_detection():
    assert _graphql.contains_idempotency_key("mutation { m }", {"input": {"idempotencyKey": "k"}})
    assert _graphql.contains_idempotency_key('mutation { m(input: {idempotencyKey: "k"}) { id } }', None)
    assert _graphql.contains_idempotency_key("mutation($k: String) { m(input: {idempotencyKey: $k}) { id } }", {})
    assert not _graphql.contains_idempotency_key("mutation { m }", {"input": {"idempotencyKey": None}})
    assert not _graphql.contains_idempotency_key("mutation { m }", {"input": {"path": "x"}})


def test_declared_variables():
    assert _graphql.declares_variable("subscription($after: String) { events(after: $after) { id } }", "after")
    assert not _graphql.declares_variable("subscription { events(after: \"$after:\") { id } }", "after")
    assert not _graphql.declares_variable("subscription($afterX: String) { events { id } }", "after")


def lines(text):
    return io.BytesIO(text.encode("utf-8"))


def test_sse_events_keepalives_multiline_and_crlf():
    stream = (": keep-alive\n\n"
              "event: next\ndata: {\"data\":\ndata: 1}\n\n"
              "event: next\r\ndata:{\"x\":2}\r\n\r\n"
              "event: complete\ndata: \n\n")
    events = list(read_events(lines(stream)))
    assert [(e.event, e.data) for e in events] == [("next", '{"data":\n1}'), ("next", '{"x":2}'), ("complete", "")]


def test_sse_event_cut_in_the_middle_is_dropped():
    events = list(read_events(lines("event: next\ndata: {\"a\":1}\n\nevent: next\ndata: {\"a\"")))
    assert [e.data for e in events] == ['{"a":1}']


def test_complete_without_data_is_dispatched():
    assert [e.event for e in read_events(lines("event: complete\n\n"))] == ["complete"]


def test_error_mapping_by_code_keeps_message_path_and_details():
    e = error_from_graphql(
        [{"message": "boom", "extensions": {"code": "INTERNAL"}, "path": ["a", 0, "b"]},
         {"message": "nope", "extensions": {"code": "FORBIDDEN", "details": {"x": 1}}}],
        data={"a": None}, status=200,
    )
    assert isinstance(e, studiograph.Internal) and isinstance(e, studiograph.InternalError)
    assert (e.message, e.code, e.path, e.data) == ("boom", "INTERNAL", ["a", 0, "b"], {"a": None})
    assert str(e) == "[INTERNAL] boom at a.0.b (+1 more)"
    second = e.errors[1]
    assert isinstance(second, studiograph.Forbidden) and second.details == {"x": 1}


def test_unknown_or_missing_codes_give_the_base_class():
    e = error_from_graphql([{"message": "new", "extensions": {"code": "SOMETHING_NEW"}}])
    assert type(e) is studiograph.GraphQLError and e.code == "SOMETHING_NEW"
    e = error_from_graphql([{"message": "bare"}])
    assert type(e) is studiograph.GraphQLError and e.code is None and e.path is None


def test_rfc3339_timestamps():
    assert _parse_rfc3339("1970-01-01T00:00:10Z") == 10
    assert _parse_rfc3339("1970-01-01T01:00:10+01:00") == 10
    assert _parse_rfc3339("1970-01-01T00:00:10.123456789Z") == 10


def test_client_url_validation():
    assert studiograph.Client("http://h:4000/graphql").url == "http://h:4000"
    assert studiograph.Client("https://sg.example/api/").url == "https://sg.example/api"
    with pytest.raises(ValueError):
        studiograph.Client("h:4000")
    with pytest.raises(ValueError):
        studiograph.Client("http://h", api_token="a", access_token="b")
