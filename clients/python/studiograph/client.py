"""The Studiograph client: GraphQL over HTTP with bearer auth, retries and SSE subscriptions."""

import datetime
import http.client
import json
import os
import platform
import random
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

from . import _graphql
from ._sse import read_events
from .errors import (
    GraphQLError,
    ProtocolError,
    RateLimited,
    StudiographError,
    SubgraphUnavailable,
    TransitionNotAllowed,
    TransportError,
    Unauthenticated,
    error_from_graphql,
)

__all__ = ["Client", "Subscription", "DEFAULT_TIMEOUT"]

VERSION = "0.1.0"
DEFAULT_TIMEOUT = 30.0

# Errors that mean "the request may or may not have reached the server".
_NETWORK_ERRORS = (OSError, http.client.HTTPException)

# The fields the helpers return.
TASK_FIELDS = """
  id name type status dueDate estimateHours atRisk createdAt updatedAt
  assignee { id displayName email }
  shot { id code frameStart frameEnd }
  asset { id code name }
  project { id code name }
  availableTransitions { to label }
"""
VERSION_FIELDS = """
  id number path comment status frameStart frameEnd createdAt
  createdBy { id displayName }
  task { id name status }
"""
TIMELOG_FIELDS = "id taskId date hours note employee { id displayName }"
RENDER_JOB_FIELDS = """
  id name status priority pool command frameStart frameEnd chunkSize maxAttempts
  progress { done total }
  coreSeconds cost { amount currency }
  createdAt startedAt finishedAt
  shot { id code }
  task { id name }
  submittedBy { id displayName }
  tasks { id frameStart frameEnd status attempts }
"""
EVENT_FIELDS = "id cursor type routingKey occurredAt tenantId payload"


def _now():
    return time.monotonic()


def _parse_rfc3339(text):
    """Seconds since the epoch for ``2026-11-21T07:00:00Z`` (Python 3.7's fromisoformat can't
    read ``Z``)."""
    text = text.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        # Drop fractions: strptime's %f takes at most 6 digits.
        head, _, tail = text.partition(".")
        digits = 0
        while digits < len(tail) and tail[digits].isdigit():
            digits += 1
        text = head + tail[digits:]
    if len(text) >= 6 and text[-6] in "+-" and text[-3] == ":":
        text = text[:-3] + text[-2:]
    parsed = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    return parsed.timestamp()


def _date(value):
    if value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _compact(mapping):
    """The mapping without its ``None`` values (optional inputs left to the server's defaults)."""
    return dict((k, v) for k, v in mapping.items() if v is not None)


class _Credentials(object):
    """The bearer token, refreshed from a password or an API token when it is about to expire."""

    def __init__(self, token=None, expires_at=None, refresh=None):
        self.token = token
        self.expires_at = expires_at  # epoch seconds, or None (API tokens: no expiry known)
        self.refresh = refresh  # callable -> (token, expires_at), or None
        self.lock = threading.Lock()

    def header(self, force_refresh=False):
        with self.lock:
            stale = self.expires_at is not None and time.time() > self.expires_at - 60
            if self.refresh is not None and (force_refresh or stale or self.token is None):
                self.token, self.expires_at = self.refresh()
            return "Bearer " + self.token if self.token else None

    def can_refresh(self):
        return self.refresh is not None


class Client(object):
    """A Studiograph client.

    ``Client(url, api_token=...)`` authenticates every request with an API token (create one
    with the ``createApiToken`` mutation); ``Client.login(url, email, password)`` exchanges a
    password for short-lived access tokens at ``POST /auth/token`` and renews them as they
    expire. ``url`` is the gateway (``http://127.0.0.1:4000``; a trailing ``/graphql`` is fine).

    Options:
        timeout: seconds to connect and to wait for each answer (default 30).
        max_retries: resends after a network error, a 5xx, ``SUBGRAPH_UNAVAILABLE`` or
            ``RATE_LIMITED`` (default 4). Queries are always retried; mutations only when they
            carry an ``idempotencyKey`` (every helper that creates something sends one), so a
            retry never creates a second object.
        backoff: first pause between attempts in seconds (doubles each time, with jitter, at
            most ``max_backoff``).
        ssl_context: an ``ssl.SSLContext`` for HTTPS (default: the system's trust store);
            ``verify=False`` turns certificate checks off (not for production).
        user_agent: appended to the ``User-Agent`` header (e.g. ``"maya-shelf/2.1"``).
    """

    def __init__(self, url, api_token=None, access_token=None, timeout=DEFAULT_TIMEOUT, max_retries=4,
                 backoff=0.5, max_backoff=8.0, max_rate_limit_wait=60.0, ssl_context=None, verify=True,
                 user_agent=None, _credentials=None):
        if api_token is not None and access_token is not None:
            raise ValueError("give api_token or access_token, not both")
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be http(s)://host[:port][/graphql], got %r" % url)
        path = parts.path.rstrip("/")
        if path.endswith("/graphql"):
            path = path[: -len("/graphql")]
        self.url = "%s://%s%s" % (parts.scheme, parts.netloc, path)
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._base_path = path
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_rate_limit_wait = max_rate_limit_wait
        if ssl_context is None and parts.scheme == "https":
            ssl_context = ssl.create_default_context()
            if not verify:
                ssl_context.check_hostname = False
                ssl_context.verify_mode = ssl.CERT_NONE
        self._ssl = ssl_context
        agent = "studiograph-python/%s Python/%s (%s)" % (VERSION, platform.python_version(), sys.platform)
        self.user_agent = agent + (" " + user_agent if user_agent else "")
        if _credentials is not None:
            self._credentials = _credentials
        else:
            self._credentials = _Credentials(token=api_token or access_token)
        self._local = threading.local()
        #: Requests sent, attempts included (handy in tests and logs).
        self.requests_sent = 0

    # ----------------------------------------------------------------- construction

    @classmethod
    def login(cls, url, email, password, **options):
        """A client signed in with a password (``POST /auth/token``); the short-lived access
        token is renewed before it expires. Raises :class:`Unauthenticated` on a bad password."""
        client = cls(url, **options)

        def refresh():
            answer = client._auth_token({"email": email, "password": password})
            return answer["accessToken"], _parse_rfc3339(answer["expiresAt"])

        client._credentials = _Credentials(refresh=refresh)
        client._credentials.header()
        return client

    @classmethod
    def from_env(cls, **options):
        """A client from ``STUDIOGRAPH_URL`` and ``STUDIOGRAPH_API_TOKEN`` (or
        ``STUDIOGRAPH_EMAIL`` + ``STUDIOGRAPH_PASSWORD``): what DCC shelves usually want."""
        url = os.environ.get("STUDIOGRAPH_URL", "http://127.0.0.1:4000")
        token = os.environ.get("STUDIOGRAPH_API_TOKEN")
        if token:
            return cls(url, api_token=token, **options)
        email, password = os.environ.get("STUDIOGRAPH_EMAIL"), os.environ.get("STUDIOGRAPH_PASSWORD")
        if email and password:
            return cls.login(url, email, password, **options)
        raise StudiographError("set STUDIOGRAPH_API_TOKEN (or STUDIOGRAPH_EMAIL and STUDIOGRAPH_PASSWORD)")

    def exchange_api_token(self):
        """Trades this client's API token for a short-lived access token (renewed as it
        expires): saves the gateway an API-token lookup per request."""
        token = self._credentials.token
        if not token:
            raise StudiographError("this client has no API token")

        def refresh():
            answer = self._auth_token({"apiToken": token})
            return answer["accessToken"], _parse_rfc3339(answer["expiresAt"])

        self._credentials = _Credentials(refresh=refresh)
        self._credentials.header()
        return self

    def __repr__(self):
        return "Client(%r)" % self.url

    def close(self):
        """Closes this thread's pooled connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ----------------------------------------------------------------- HTTP

    def _new_connection(self, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._ssl)
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._new_connection()
            self._local.conn = conn
        return conn

    def _send(self, method, path, body, headers, timeout=None):
        """One HTTP exchange: (status, response, body bytes). Uses this thread's keep-alive
        connection (a one-off connection when ``timeout`` differs from the client's). A pooled
        connection the server closed while idle is reopened once, only when sending failed (so
        nothing of the request can have been processed)."""
        self.requests_sent += 1
        if timeout is not None:
            conn = self._new_connection(timeout)
            try:
                conn.request(method, self._base_path + path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response, response.read()
            finally:
                conn.close()
        conn = self._connection()
        try:
            conn.request(method, self._base_path + path, body=body, headers=headers)
        except _NETWORK_ERRORS:
            conn.close()
            conn = self._new_connection()
            self._local.conn = conn
            conn.request(method, self._base_path + path, body=body, headers=headers)
        try:
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            conn.close()
            self._local.conn = None
            raise
        if (response.getheader("connection") or "").lower() == "close":
            conn.close()
            self._local.conn = None
        return response.status, response, data

    def _headers(self, accept, force_refresh=False):
        headers = {
            "Content-Type": "application/json",
            "Accept": accept,
            "User-Agent": self.user_agent,
        }
        auth = self._credentials.header(force_refresh=force_refresh)
        if auth:
            headers["Authorization"] = auth
        return headers

    def _pause(self, attempt, at_least=0.0):
        delay = min(self.max_backoff, self.backoff * (2 ** attempt))
        time.sleep(max(at_least, random.uniform(delay / 2.0, delay)))

    def _auth_token(self, body):
        """``POST /auth/token`` (retried on network errors and 5xx: it creates nothing)."""
        payload = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": self.user_agent}
        attempt = 0
        while True:
            try:
                status, response, data = self._send("POST", "/auth/token", payload, headers)
            except _NETWORK_ERRORS as e:
                if attempt >= self.max_retries:
                    raise TransportError("POST %s/auth/token failed: %s" % (self.url, e), attempt + 1, e)
                self._pause(attempt)
                attempt += 1
                continue
            if status >= 500 and attempt < self.max_retries:
                self._pause(attempt)
                attempt += 1
                continue
            parsed = self._decode(status, data)
            if status == 200 and isinstance(parsed, dict) and "accessToken" in parsed:
                return parsed
            raise self._error(parsed, status, response)

    @staticmethod
    def _decode(status, data):
        try:
            return json.loads(data.decode("utf-8")) if data else None
        except ValueError:
            raise ProtocolError("HTTP %d with a body that is not JSON" % status, status, data[:2000])

    @staticmethod
    def _retry_after(response):
        value = response.getheader("retry-after") if response is not None else None
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def _error(self, parsed, status, response):
        if isinstance(parsed, dict) and isinstance(parsed.get("errors"), list) and parsed["errors"]:
            return error_from_graphql(parsed["errors"], parsed.get("data"), status, self._retry_after(response))
        return ProtocolError("HTTP %d without GraphQL errors" % status, status, parsed)

    # ----------------------------------------------------------------- GraphQL

    def execute(self, query, variables=None, operation_name=None, retry=None, timeout=None, extensions=None):
        """Runs a query or mutation and returns its ``data``.

        Raises the :mod:`studiograph.errors` class of the first error's code (the exception's
        ``errors`` holds them all and ``data`` the partial data). ``retry``: ``None`` decides
        (queries yes, mutations only with an ``idempotencyKey``), ``True``/``False`` force it.
        ``extensions`` is sent as is (e.g. ``{"persistedQuery": {"version": 1, "sha256Hash":
        ...}}`` with ``query=None`` to run a persisted operation).
        """
        data, _ = self._execute(query, variables, operation_name, retry, timeout, extensions)
        return data

    def execute_raw(self, query, variables=None, operation_name=None, retry=None, timeout=None, extensions=None):
        """Like :meth:`execute` but returns the whole response (``data`` and ``errors``) instead
        of raising on GraphQL errors; transport failures still raise."""
        try:
            data, _ = self._execute(query, variables, operation_name, retry, timeout, extensions)
            return {"data": data}
        except GraphQLError as e:
            return {"data": e.data, "errors": [self._error_dict(x) for x in e.errors]}

    @staticmethod
    def _error_dict(e):
        out = {"message": e.message, "extensions": e.extensions}
        if e.path is not None:
            out["path"] = e.path
        return out

    def _may_retry(self, query, variables, operation_name, retry):
        if retry is not None:
            return bool(retry)
        if query is None:
            return False  # a persisted operation: its kind is unknown here
        kind = _graphql.operation_kind(query, operation_name)
        if kind == "query":
            return True
        if kind == "mutation":
            return _graphql.contains_idempotency_key(query, variables)
        return False

    def _execute(self, query, variables, operation_name, retry, timeout, extensions=None):
        """(data, attempts). Every attempt sends the very same body (same idempotency key)."""
        body = {}
        if query is not None:
            body["query"] = query
        if extensions:
            body["extensions"] = extensions
        if variables:
            body["variables"] = variables
        if operation_name:
            body["operationName"] = operation_name
        payload = json.dumps(body).encode("utf-8")
        may_retry = self._may_retry(query, variables, operation_name, retry)
        attempt = 0
        refreshed = False
        accept = "application/graphql-response+json, application/json;q=0.9"
        while True:
            headers = self._headers(accept)
            try:
                # A request that must not be resent gets a fresh connection: a pooled one the
                # server has just closed would fail it in a way that looks like a lost answer.
                fresh = timeout if timeout is not None else (None if may_retry else self.timeout)
                status, response, data = self._send("POST", "/graphql", payload, headers, fresh)
            except _NETWORK_ERRORS as e:
                if not may_retry or attempt >= self.max_retries:
                    raise TransportError(
                        "POST %s/graphql failed after %d attempt(s): %s: %s" % (self.url, attempt + 1, type(e).__name__, e),
                        attempt + 1, e,
                    )
                self._pause(attempt)
                attempt += 1
                continue
            parsed = self._decode(status, data)
            errors = parsed.get("errors") if isinstance(parsed, dict) else None
            if errors:
                error = error_from_graphql(errors, parsed.get("data"), status, self._retry_after(response))
                error.attempts = attempt + 1
                if isinstance(error, Unauthenticated) and self._credentials.can_refresh() and not refreshed:
                    # The access token expired (or the clock is off): renew it once.
                    refreshed = True
                    self._credentials.header(force_refresh=True)
                    continue
                if self._retryable(error, status, may_retry) and attempt < self.max_retries:
                    wait = error.retry_after or 0.0
                    if isinstance(error, RateLimited) and wait > self.max_rate_limit_wait:
                        raise error
                    self._pause(attempt, at_least=wait)
                    attempt += 1
                    continue
                raise error
            if status >= 500 and may_retry and attempt < self.max_retries:
                self._pause(attempt)
                attempt += 1
                continue
            if not isinstance(parsed, dict) or "data" not in parsed:
                raise ProtocolError("HTTP %d: not a GraphQL response" % status, status, parsed)
            return parsed["data"], attempt + 1

    @staticmethod
    def _retryable(error, status, may_retry):
        if isinstance(error, RateLimited):
            return True  # refused before execution: safe for mutations too
        if not may_retry:
            return False
        if status >= 500:
            return True
        codes = set(e.code for e in error.errors)
        return codes == {SubgraphUnavailable.code} and not error.data

    # ----------------------------------------------------------------- subscriptions

    def subscribe(self, query, variables=None, operation_name=None, reconnect=True, cursor_variable="after",
                  max_reconnects=None, idle_timeout=45.0):
        """Subscribes over SSE (``Accept: text/event-stream``) and returns a
        :class:`Subscription`: iterate it for each event's ``data``.

        When the stream breaks (network, gateway restart), it reconnects with backoff. If the
        document declares ``$after`` (``cursor_variable``) and events carry a ``cursor`` (the
        ``events`` subscription), it resumes right after the last event received: nothing is lost
        or repeated. Other subscriptions resume live (events during the gap are missed).
        ``idle_timeout``: seconds without even a keep-alive (sent every 15 s) before the
        connection counts as dead.
        """
        return Subscription(self, query, variables, operation_name, reconnect, cursor_variable,
                            max_reconnects, idle_timeout)

    def events(self, after=None, types=None, fields=EVENT_FIELDS, **options):
        """The tenant's event log (``events(after:, types:)``), resumable: yields DomainEvent
        dicts (``id cursor type routingKey occurredAt tenantId payload``). Pass the last
        ``cursor`` you processed as ``after`` to continue where a previous run stopped. Without
        one, the log's current cursor (``eventsCursor``) is taken first, so even a stream that
        breaks before its first event resumes with nothing lost."""
        query = "subscription Events($after: String, $types: [String!]) { events(after: $after, types: $types) { %s } }" % fields
        variables = _compact({"after": after, "types": list(types) if types else None})
        sub = Subscription(self, query, variables, "Events", unwrap="events", **options)
        if after is None:
            sub.initial_cursor = self._events_cursor
        return sub

    def _events_cursor(self):
        return self.execute("query EventsCursor { eventsCursor }", operation_name="EventsCursor")["eventsCursor"]

    # ----------------------------------------------------------------- helpers

    def me(self):
        """The viewer: ``{user {id email roles} employee {id displayName} tenant {id slug name kind}}``."""
        return self.execute(
            "query Me { me { user { id email roles } employee { id displayName employeeNumber } "
            "tenant { id slug name kind } } }"
        )["me"]

    def my_tasks(self, status=None):
        """The viewer's tasks (optionally only some statuses), with shot/asset/project and the
        transitions the viewer may make. An account without an employee record has none."""
        data = self.execute(
            "query MyTasks($status: [TaskStatus!]) { me { employee { id tasks(status: $status) { %s } } } }" % TASK_FIELDS,
            _compact({"status": [status] if isinstance(status, str) else status}),
        )
        employee = data["me"]["employee"]
        return employee["tasks"] if employee else []

    def task(self, task_id):
        """One task (``None`` when it does not exist in the tenant), with its versions."""
        return self.execute(
            "query Task($id: ID!) { task(id: $id) { %s versions { %s } } }" % (TASK_FIELDS, VERSION_FIELDS),
            {"id": task_id},
        )["task"]

    def set_task_status(self, task_id, status, comment=None):
        """Moves a task (``transitionTask``); raises :class:`TransitionNotAllowed` when the
        workflow refuses. ``transitionTask`` takes no idempotency key, so a retried call whose
        first attempt did commit is recognised by the task already being in ``status``."""
        variables = _compact({"taskId": task_id, "to": status, "comment": comment})
        query = "mutation SetTaskStatus($taskId: ID!, $to: TaskStatus!, $comment: String) { transitionTask(taskId: $taskId, to: $to, comment: $comment) { %s } }" % TASK_FIELDS
        try:
            return self.execute(query, variables, retry=True)["transitionTask"]
        except TransitionNotAllowed as e:
            if getattr(e, "attempts", 1) > 1:
                task = self.task(task_id)
                if task is not None and task["status"] == status:
                    return task
            raise

    def publish_version(self, task_id, path, comment=None, frame_start=None, frame_end=None, idempotency_key=None):
        """Publishes the task's next version (``publishVersion``) and returns it. A fresh
        ``idempotencyKey`` is sent (the same one on every retry), so a publish retried after a
        dropped connection returns the first version instead of creating another. Pass your own
        key to make a whole script re-runnable (e.g. derived from the file's checksum)."""
        key = idempotency_key or str(uuid.uuid4())
        variables = {"input": _compact({
            "taskId": task_id, "path": path, "comment": comment,
            "frameStart": frame_start, "frameEnd": frame_end, "idempotencyKey": key,
        })}
        return self.execute(
            "mutation PublishVersion($input: PublishVersionInput!) { publishVersion(input: $input) { %s } }" % VERSION_FIELDS,
            variables,
        )["publishVersion"]

    def log_time(self, task_id, hours, date=None, note=None, idempotency_key=None):
        """Logs ``hours`` on one of your tasks for ``date`` (default today; a ``date`` or
        ``YYYY-MM-DD``) with ``logTime``; retried safely with an idempotency key."""
        key = idempotency_key or str(uuid.uuid4())
        variables = {"input": _compact({
            "taskId": task_id, "hours": float(hours), "date": _date(date) or datetime.date.today().isoformat(),
            "note": note, "idempotencyKey": key,
        })}
        return self.execute(
            "mutation LogTime($input: LogTimeInput!) { logTime(input: $input) { %s } }" % TIMELOG_FIELDS,
            variables,
        )["logTime"]

    def submit_render(self, shot_id, command, frame_start=None, frame_end=None, name=None, task_id=None,
                      chunk_size=None, priority=None, pool=None, max_attempts=None, idempotency_key=None):
        """Submits a render job for a shot (``submitRenderJob``). The frame range defaults to
        the shot's, the name to ``<shot code> render``. ``command`` is the template the agents
        run (``{frame_start}``, ``{frame_end}``, ``{frame}`` substituted)."""
        if frame_start is None or frame_end is None or name is None:
            shot = self.execute(
                "query Shot($id: ID!) { shot(id: $id) { id code frameStart frameEnd } }", {"id": shot_id}
            )["shot"]
            if shot is None:
                from .errors import NotFound
                raise NotFound("shot %s not found" % shot_id, code="NOT_FOUND", path=["shot"])
            frame_start = shot["frameStart"] if frame_start is None else frame_start
            frame_end = shot["frameEnd"] if frame_end is None else frame_end
            name = name or "%s render" % shot["code"]
        key = idempotency_key or str(uuid.uuid4())
        variables = {"input": _compact({
            "name": name, "shotId": shot_id, "taskId": task_id, "frameStart": frame_start, "frameEnd": frame_end,
            "chunkSize": chunk_size, "priority": priority, "pool": pool, "command": command,
            "maxAttempts": max_attempts, "idempotencyKey": key,
        })}
        return self.execute(
            "mutation SubmitRender($input: SubmitRenderJobInput!) { submitRenderJob(input: $input) { %s } }" % RENDER_JOB_FIELDS,
            variables,
        )["submitRenderJob"]

    def render_job(self, job_id):
        """One render job with its progress, chunks and cost (``None`` when there is none)."""
        return self.execute(
            "query RenderJob($id: ID!) { renderJob(id: $id) { %s } }" % RENDER_JOB_FIELDS, {"id": job_id}
        )["renderJob"]

    def create_api_token(self, name, scopes, expires_at=None, idempotency_key=None):
        """Creates an API token for the viewer: ``{"token": "sgp_...", "apiToken": {...}}``. The
        secret is shown only this once."""
        variables = {"input": _compact({
            "name": name, "scopes": list(scopes), "expiresAt": expires_at,
            "idempotencyKey": idempotency_key or str(uuid.uuid4()),
        })}
        return self.execute(
            "mutation CreateApiToken($input: CreateApiTokenInput!) { createApiToken(input: $input) "
            "{ token apiToken { id name scopes expiresAt createdAt } } }",
            variables,
        )["createApiToken"]


class Subscription(object):
    """An open subscription: iterate it for each event's ``data`` (or, from
    :meth:`Client.events`, each event). ``cursor`` is the last event's cursor (persist it to resume
    later), ``reconnects`` how often the stream was re-established. ``close()`` (from any thread)
    ends the iteration."""

    def __init__(self, client, query, variables=None, operation_name=None, reconnect=True, cursor_variable="after",
                 max_reconnects=None, idle_timeout=45.0, unwrap=None):
        self.client = client
        self.query = query
        self.variables = dict(variables or {})
        self.operation_name = operation_name
        self.reconnect = reconnect
        self.cursor_variable = cursor_variable
        self.max_reconnects = max_reconnects
        self.idle_timeout = idle_timeout
        self.unwrap = unwrap
        self.resumable = bool(cursor_variable) and _graphql.declares_variable(query, cursor_variable)
        self.cursor = self.variables.get(cursor_variable) if cursor_variable else None
        self.reconnects = 0
        #: True while an event stream is open (the gateway accepted the subscription).
        self.connected = False
        self._closed = False
        self._conn = None
        self._response = None
        self._lock = threading.Lock()
        self._events = None
        #: Called once before the first connection when there is no cursor yet; returns the one to
        #: start after (``Client.events`` sets it to the log's current cursor).
        self.initial_cursor = None

    def __iter__(self):
        return self

    def __next__(self):
        if self._events is None:
            if self.resumable and self.cursor is None and self.initial_cursor is not None:
                self.cursor = self.initial_cursor()
            self._events = self._run()
        return next(self._events)

    next = __next__

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Ends the subscription (the gateway then ends the upstream one)."""
        with self._lock:
            self._closed = True
            conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _open(self):
        client = self.client
        variables = dict(self.variables)
        if self.resumable and self.cursor is not None:
            variables[self.cursor_variable] = self.cursor
        body = {"query": self.query}
        if variables:
            body["variables"] = variables
        if self.operation_name:
            body["operationName"] = self.operation_name
        headers = client._headers("text/event-stream")
        headers["Cache-Control"] = "no-cache"
        conn = client._new_connection(timeout=max(client.timeout, self.idle_timeout))
        conn.connect()
        with self._lock:
            if self._closed:
                conn.close()
                raise StopIteration
            self._conn = conn  # from now on close() can shut the socket down
        client.requests_sent += 1
        conn.request("POST", client._base_path + "/graphql", body=json.dumps(body).encode("utf-8"), headers=headers)
        response = conn.getresponse()
        conn.sock.settimeout(self.idle_timeout)
        return conn, response

    def _run(self):
        client = self.client
        failures = 0
        refreshed = False
        while True:
            if self._closed:
                return
            conn = None
            try:
                try:
                    conn, response = self._open()
                except StopIteration:
                    return
                ctype = (response.getheader("content-type") or "").split(";")[0].strip().lower()
                if ctype != "text/event-stream":
                    data = response.read()
                    parsed = client._decode(response.status, data)
                    error = client._error(parsed, response.status, response)
                    if isinstance(error, Unauthenticated) and client._credentials.can_refresh() and not refreshed:
                        refreshed = True
                        client._credentials.header(force_refresh=True)
                        continue
                    if response.status >= 500 or isinstance(error, (RateLimited, SubgraphUnavailable)):
                        raise _Retry(error)
                    raise error
                refreshed = False
                self.connected = True
                completed = False
                for event in read_events(response):
                    if event.event == "complete":
                        completed = True
                        break
                    if event.event != "next":
                        continue
                    try:
                        payload = json.loads(event.data)
                    except ValueError:
                        raise ProtocolError("an SSE event that is not JSON", response.status, event.data[:2000])
                    errors = payload.get("errors")
                    data = payload.get("data")
                    if errors and not data:
                        error = error_from_graphql(errors, data, response.status)
                        if isinstance(error, SubgraphUnavailable):
                            raise _Retry(error)
                        raise error
                    failures = 0
                    item = data
                    if isinstance(data, dict) and data:
                        root = data.get(self.unwrap) if self.unwrap else list(data.values())[0]
                        if isinstance(root, dict) and isinstance(root.get("cursor"), str):
                            self.cursor = root["cursor"]
                        if self.unwrap:
                            item = root
                    yield item
                if self._closed:
                    return
                if completed:
                    # The gateway ended the subscription (it does when it shuts down).
                    if not self.reconnect:
                        return
                    raise _Retry(None)
                # The stream stopped without `complete`: the connection broke.
                raise http.client.IncompleteRead(b"", None)
            except (_Retry,) + _NETWORK_ERRORS as e:
                if self._closed:
                    return
                if not self.reconnect:
                    if isinstance(e, _Retry) and e.error is not None:
                        raise e.error
                    raise TransportError("the subscription's stream broke: %s" % (e,), 1, e)
                if self.max_reconnects is not None and self.reconnects >= self.max_reconnects:
                    if isinstance(e, _Retry) and e.error is not None:
                        raise e.error
                    raise TransportError("the subscription's stream broke %d times" % (self.reconnects + 1), self.reconnects + 1, e)
                wait = 0.0
                if isinstance(e, _Retry) and e.error is not None and e.error.retry_after:
                    wait = e.error.retry_after
                delay = min(client.max_backoff, client.backoff * (2 ** min(failures, 10)))
                time.sleep(max(wait, random.uniform(delay / 2.0, delay)))
                failures += 1
                self.reconnects += 1
            finally:
                self.connected = False
                if conn is not None:
                    conn.close()
                with self._lock:
                    self._conn = None


class _Retry(Exception):
    """Internal: reconnect the subscription (``error`` is what ended the stream, if any)."""

    def __init__(self, error):
        super(_Retry, self).__init__(str(error) if error else "stream ended")
        self.error = error
