"""Studiograph's pipeline client: one import, the standard library only, Python 3.7+.

    import studiograph
    sg = studiograph.Client("https://studiograph.example", api_token="sgp_...")
    for task in sg.my_tasks(status="IN_PROGRESS"):
        print(task["name"], task["status"])
    sg.publish_version(task["id"], "/jobs/sky/sh010/anim/v003.ma", comment="blocking")

Errors are raised as one class per contract code (``studiograph.TransitionNotAllowed``,
``studiograph.Forbidden``, ...), each carrying ``message``, ``code`` and ``path``.
"""

from .client import Client, Subscription, VERSION as __version__
from .errors import (
    ERROR_CLASSES,
    AssigneeUnavailable,
    BadUserInput,
    Conflict,
    Forbidden,
    GraphQLError,
    Internal,
    InternalError,
    NotFound,
    PersistedQueryNotFound,
    ProtocolError,
    QueryTooComplex,
    QuotaExceeded,
    RateLimited,
    StudiographError,
    SubgraphUnavailable,
    TransitionNotAllowed,
    TransportError,
    Unauthenticated,
)

__all__ = [
    "Client",
    "Subscription",
    "ERROR_CLASSES",
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
    "__version__",
]
