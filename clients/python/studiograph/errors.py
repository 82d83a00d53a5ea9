"""Exceptions: one class per error code of the Studiograph contract.

Every GraphQL error the gateway answers carries ``extensions.code``; the client raises the class
registered for that code (``TransitionNotAllowed`` for ``TRANSITION_NOT_ALLOWED``, ...), so a
pipeline script can write ``except studiograph.TransitionNotAllowed:``. An unknown code raises
the base class :class:`GraphQLError` with ``.code`` set.
"""

__all__ = [
    "StudiographError",
    "TransportError",
    "ProtocolError",
    "GraphQLError",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "BadUserInput",
    "Conflict",
    "TransitionNotAllowed",
    "AssigneeUnavailable",
    "QuotaExceeded",
    "RateLimited",
    "QueryTooComplex",
    "PersistedQueryNotFound",
    "SubgraphUnavailable",
    "Internal",
    "InternalError",
    "ERROR_CLASSES",
    "error_from_graphql",
]


class StudiographError(Exception):
    """Base class of everything this package raises."""


class TransportError(StudiographError):
    """The gateway could not be reached or the connection broke, after every retry.

    ``attempts`` is how many times the request was sent; ``cause`` the last low-level error.
    """

    def __init__(self, message, attempts=1, cause=None):
        super(TransportError, self).__init__(message)
        self.message = message
        self.attempts = attempts
        self.cause = cause


class ProtocolError(StudiographError):
    """The gateway answered something that is not a GraphQL response (``status``, ``body``)."""

    def __init__(self, message, status=None, body=None):
        super(ProtocolError, self).__init__(message)
        self.message = message
        self.status = status
        self.body = body


class GraphQLError(StudiographError):
    """A GraphQL error.

    Attributes:
        message: the server's client-safe message.
        code: ``extensions.code`` (``None`` when the server sent none).
        path: where in the response it happened, e.g. ``["publishVersion"]`` (or ``None``).
        extensions: the whole ``extensions`` object (``details`` lives there).
        details: ``extensions.details`` or ``None`` (e.g. the leave conflicts of
            ``ASSIGNEE_UNAVAILABLE``).
        errors: every error of the response as ``GraphQLError`` objects (this one first).
        data: the partial ``data`` of the response, if any.
        status: the HTTP status.
        retry_after: seconds, from ``Retry-After`` (``RATE_LIMITED``), else ``None``.
    """

    code = None  # type: ignore

    def __init__(self, message, code=None, path=None, extensions=None, locations=None, data=None,
                 errors=None, status=None, retry_after=None):
        super(GraphQLError, self).__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.path = path
        self.extensions = extensions or {}
        self.details = self.extensions.get("details")
        self.locations = locations
        self.data = data
        self.errors = errors if errors is not None else [self]
        self.status = status
        self.retry_after = retry_after

    def __str__(self):
        where = ""
        if self.path:
            where = " at " + ".".join(str(p) for p in self.path)
        more = ""
        if len(self.errors) > 1:
            more = " (+%d more)" % (len(self.errors) - 1)
        return "[%s] %s%s%s" % (self.code or "ERROR", self.message, where, more)

    def __repr__(self):
        return "%s(%r, code=%r, path=%r)" % (type(self).__name__, self.message, self.code, self.path)


class Unauthenticated(GraphQLError):
    """``UNAUTHENTICATED``: no, an invalid, an expired or a revoked credential."""
    code = "UNAUTHENTICATED"


class Forbidden(GraphQLError):
    """``FORBIDDEN``: the caller's roles or the token's scopes do not allow it."""
    code = "FORBIDDEN"


class NotFound(GraphQLError):
    """``NOT_FOUND``: no such object in the caller's tenant."""
    code = "NOT_FOUND"


class BadUserInput(GraphQLError):
    """``BAD_USER_INPUT``: invalid arguments, or a document that does not validate."""
    code = "BAD_USER_INPUT"


class Conflict(GraphQLError):
    """``CONFLICT``: a unique key is taken, or the object changed meanwhile."""
    code = "CONFLICT"


class TransitionNotAllowed(GraphQLError):
    """``TRANSITION_NOT_ALLOWED``: the workflow does not allow this move (for this caller, now)."""
    code = "TRANSITION_NOT_ALLOWED"


class AssigneeUnavailable(GraphQLError):
    """``ASSIGNEE_UNAVAILABLE``: unknown, offboarded, or on leave over the due date."""
    code = "ASSIGNEE_UNAVAILABLE"


class QuotaExceeded(GraphQLError):
    """``QUOTA_EXCEEDED``: over a leave balance or a render pool quota."""
    code = "QUOTA_EXCEEDED"


class RateLimited(GraphQLError):
    """``RATE_LIMITED``: too many requests; ``retry_after`` says how long to wait."""
    code = "RATE_LIMITED"


class QueryTooComplex(GraphQLError):
    """``QUERY_TOO_COMPLEX``: the document is too deep, too costly, too long."""
    code = "QUERY_TOO_COMPLEX"


class PersistedQueryNotFound(GraphQLError):
    """``PERSISTED_QUERY_NOT_FOUND``: the hash is unknown (send the document)."""
    code = "PERSISTED_QUERY_NOT_FOUND"


class SubgraphUnavailable(GraphQLError):
    """``SUBGRAPH_UNAVAILABLE``: a service behind the gateway is down or overloaded."""
    code = "SUBGRAPH_UNAVAILABLE"


class Internal(GraphQLError):
    """``INTERNAL``: a server bug (the message never carries details)."""
    code = "INTERNAL"


InternalError = Internal

#: ``extensions.code`` -> exception class.
ERROR_CLASSES = dict(
    (cls.code, cls)
    for cls in (
        Unauthenticated, Forbidden, NotFound, BadUserInput, Conflict, TransitionNotAllowed,
        AssigneeUnavailable, QuotaExceeded, RateLimited, QueryTooComplex, PersistedQueryNotFound,
        SubgraphUnavailable, Internal,
    )
)


def _one(error, data, status, retry_after):
    if not isinstance(error, dict):
        error = {"message": str(error)}
    extensions = error.get("extensions") or {}
    if not isinstance(extensions, dict):
        extensions = {}
    code = extensions.get("code")
    cls = ERROR_CLASSES.get(code, GraphQLError)
    return cls(
        error.get("message") or "(no message)",
        code=code,
        path=error.get("path"),
        extensions=extensions,
        locations=error.get("locations"),
        data=data,
        status=status,
        retry_after=retry_after,
    )


def error_from_graphql(errors, data=None, status=None, retry_after=None):
    """The exception to raise for a response's ``errors`` list: the first error's class, with
    every error in ``.errors``."""
    items = [_one(e, data, status, retry_after) for e in (errors or [{"message": "unknown error"}])]
    first = items[0]
    first.errors = items
    for item in items[1:]:
        item.errors = items
    return first
