#!/usr/bin/env python3
"""Forward Studiograph's event log to a webhook, signed, at least once, resumable.

    STUDIOGRAPH_URL=http://127.0.0.1:4000 STUDIOGRAPH_API_TOKEN=sgp_... WEBHOOK_SECRET=s3cret \\
      python3 events_webhook.py https://hooks.example/studiograph --types 'task.*' 'version.*' \\
        --cursor-file /var/lib/studiograph-webhook/cursor

Each event of the ``events`` subscription is POSTed as JSON (the DomainEvent: ``id cursor type
routingKey occurredAt tenantId payload``) with the headers

- ``X-Studiograph-Event-Id``: the event id (stable: the receiver de-duplicates on it),
- ``X-Studiograph-Event-Type``: e.g. ``task.status_changed``,
- ``X-Studiograph-Timestamp``: Unix seconds of the delivery attempt,
- ``X-Studiograph-Signature``: ``sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``.

The receiver recomputes the HMAC over the raw body with the shared secret, compares it in
constant time, and refuses timestamps older than a few minutes (replays). Verification in Python::

    expected = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest("sha256=" + expected, signature) and abs(time.time() - int(ts)) < 300

Delivery is at least once and in order: an event is retried (with backoff, for ever unless
``--max-attempts``) until the webhook answers 2xx, and only then is its cursor written to
``--cursor-file`` (atomically). A restart resumes right after the last delivered event; the
subscription itself reconnects and resumes after network errors and gateway restarts.
Needs the ``production:read`` scope (HR events reach HR_MANAGER/ADMIN tokens only).
"""

import argparse
import hashlib
import hmac
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request

try:
    import studiograph
except ImportError:  # running from a checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import studiograph


def sign(secret, timestamp, body):
    """The signature header value for ``body`` (bytes) sent at ``timestamp`` (str)."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + mac


def deliver(url, secret, event, timeout=10.0, max_attempts=None, log=print):
    """POSTs one event until the webhook answers 2xx (or ``max_attempts`` is spent)."""
    body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode("utf-8")
    attempt = 0
    while True:
        attempt += 1
        ts = str(int(time.time()))
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "User-Agent": "studiograph-webhook/%s" % studiograph.__version__,
            "X-Studiograph-Event-Id": event["id"],
            "X-Studiograph-Event-Type": event["type"],
            "X-Studiograph-Timestamp": ts,
            "X-Studiograph-Signature": sign(secret, ts, body),
        })
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return attempt
                problem = "HTTP %d" % response.status
        except urllib.error.HTTPError as e:
            problem = "HTTP %d" % e.code
        except (urllib.error.URLError, OSError) as e:
            problem = str(e)
        if max_attempts is not None and attempt >= max_attempts:
            raise RuntimeError("event %s not delivered after %d attempts: %s" % (event["id"], attempt, problem))
        delay = min(60.0, 0.5 * (2 ** min(attempt - 1, 7)))
        log("delivery of %s failed (%s); retrying in %.1fs" % (event["id"], problem, delay))
        time.sleep(random.uniform(delay / 2.0, delay))


def read_cursor(path):
    if not path:
        return None
    try:
        with open(path) as f:
            return f.read().strip() or None
    except OSError:
        return None


def write_cursor(path, cursor):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(cursor)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def forward(client, url, secret, cursor_file=None, types=None, max_events=None, max_attempts=None, log=print):
    """Forwards events until ``max_events`` were delivered (for ever when None)."""
    after = read_cursor(cursor_file)
    log("forwarding events%s to %s" % (" after the saved cursor" if after else " from now", url))
    delivered = 0
    with client.events(after=after, types=types) as events:
        for event in events:
            deliver(url, secret, event, max_attempts=max_attempts, log=log)
            write_cursor(cursor_file, event["cursor"])
            delivered += 1
            log("delivered %s %s" % (event["type"], event["id"]))
            if max_events is not None and delivered >= max_events:
                break
    return delivered


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("webhook", help="the URL events are POSTed to")
    parser.add_argument("--secret-env", default="WEBHOOK_SECRET", help="variable holding the HMAC secret (default WEBHOOK_SECRET)")
    parser.add_argument("--cursor-file", help="where the last delivered cursor is kept (resume point)")
    parser.add_argument("--types", nargs="+", help="event types or prefixes (task.*, version.published, hr.*)")
    parser.add_argument("--max-events", type=int, help="stop after this many deliveries")
    parser.add_argument("--max-attempts", type=int, help="give up on an event after this many attempts")
    args = parser.parse_args(argv)
    secret = os.environ.get(args.secret_env)
    if not secret:
        parser.error("set %s to the webhook's shared secret" % args.secret_env)
    client = studiograph.Client.from_env(user_agent="events-webhook")

    def log(message):
        sys.stdout.write(message + "\n")
        sys.stdout.flush()

    try:
        forward(client, args.webhook, secret.encode("utf-8"), args.cursor_file, args.types, args.max_events,
                args.max_attempts, log)
    except KeyboardInterrupt:
        return 0
    except (studiograph.StudiographError, RuntimeError) as e:
        sys.stderr.write("webhook forwarder stopped: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
