"""A Server-Sent Events reader (the parts of the WHATWG event-stream format the gateway uses)."""


class SSEEvent(object):
    """One dispatched event: ``event`` (type, default ``message``), ``data``, ``id``."""

    __slots__ = ("event", "data", "id")

    def __init__(self, event, data, id=None):
        self.event = event
        self.data = data
        self.id = id

    def __repr__(self):
        return "SSEEvent(event=%r, data=%r, id=%r)" % (self.event, self.data, self.id)


def read_events(lines):
    """Yields :class:`SSEEvent` from an iterable of raw lines (bytes, with their line endings).

    Comment lines (``:``, the keep-alives) are skipped; an event is dispatched at a blank line;
    a stream that ends mid-event drops that event, as the format says.
    """
    event_type = None
    data = []
    last_id = None
    for raw in lines:
        line = raw.decode("utf-8", "replace")
        if line.endswith("\n"):
            line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
        if line == "":
            if data or event_type:
                # `event: complete` may come with an empty data line, or none.
                yield SSEEvent(event_type or "message", "\n".join(data), last_id)
            event_type = None
            data = []
            continue
        if line.startswith(":"):
            continue
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "event":
            event_type = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            last_id = value
        # `retry` and unknown fields are ignored.
