#!/usr/bin/env python3
"""A throw-away Studiograph stack for end-to-end tests: three fresh databases, the three
subgraphs and the gateway on free ports, with RabbitMQ and Redis names of its own.

Standard library only. It builds nothing: it runs the debug binaries in
``$CARGO_TARGET_DIR/debug`` (``hr``, ``production``, ``render``, ``gateway``; default
``CARGO_TARGET_DIR=$HOME/.cache/studiograph/target``), so run
``cargo build --bins -p hr -p production -p render -p gateway`` first.

As a library::

    from test_stack import TestStack
    with TestStack() as stack:
        print(stack.gateway_url)        # http://127.0.0.1:<port>
        stack.sql("production", "SELECT count(*) FROM versions")

As a command (prints the URLs, then waits for Ctrl-C)::

    python3 scripts/test_stack.py up [--keep-logs]
    python3 scripts/test_stack.py reap   # clean up after stacks whose owner was killed (-9)

What ``start()`` does:

1. creates ``studiograph_<svc>_test_stack_<id>`` for hr, production and render on the local
   PostgreSQL (``TEST_PG_URL``, default ``postgres://postgres@127.0.0.1:5432``, trust auth),
   runs ``<svc> migrate`` (superuser URL) then ``<svc> seed`` (the demo studio of CONTRACT.md);
2. starts the subgraphs (application, relay and scheduler roles as in the Makefile) and the
   gateway on free ports, with ``EVENTS_PREFIX=sgstack.<id>.`` (every exchange and queue),
   ``GATEWAY_REDIS_PREFIX=sgstack:<id>:``, one temporary ``DEV_KEY_DIR`` shared by all four,
   generous rate limits, and waits for the gateway's ``/readyz``.

``stop()`` (also at interpreter exit, on SIGTERM/SIGINT and when ``start()`` fails half-way):
SIGTERM to every process (SIGKILL after a grace period), drops the databases, deletes the
RabbitMQ queues and exchanges with the prefix (``rabbitmqctl``), deletes the Redis keys with
the prefix (``redis-cli --scan``), removes the temporary directory. Each stack records itself
in ``$TMPDIR/studiograph-test-stacks/<id>.json`` while it runs; any later stack (or ``reap``)
cleans up after one whose owner process died without stopping it. Children also get
``PR_SET_PDEATHSIG`` on Linux, so they die with the process that started them.

Environment read: ``CARGO_TARGET_DIR``, ``TEST_PG_URL``, ``AMQP_URL``, ``REDIS_URL``,
``STUDIOGRAPH_REPO`` (default: the checkout this file is in), ``TEST_STACK_KEEP_LOGS=1``
(keep the service logs directory after stop; its path is printed).
"""

import argparse
import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

SUBGRAPHS = ("hr", "production", "render")
SERVICES = SUBGRAPHS + ("gateway",)
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2f"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
REGISTRY_DIR = os.path.join(tempfile.gettempdir(), "studiograph-test-stacks")
HERE = os.path.dirname(os.path.abspath(__file__))


def _default_bin_dir():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "studiograph", "target"
    )
    return os.path.join(target, "debug")


def _free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 (held open together so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _pdeathsig():
    """preexec_fn: the child gets SIGTERM when its parent dies (Linux; best effort)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    os.setpgrp()  # own process group: Ctrl-C in a terminal goes to us, we stop them in order


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StackError(RuntimeError):
    """The stack could not be started (the message says which step; logs are attached)."""


class TestStack(object):
    """One private stack. Attributes once started: ``gateway_url``, ``graphql_url``,
    ``subgraph_urls`` (name -> URL of its /graphql), ``databases`` (name -> database),
    ``events_prefix``, ``redis_prefix``, ``key_dir``, ``log_dir``, ``id``."""

    __test__ = False  # not a pytest test class

    def __init__(self, bin_dir=None, repo=None, extra_env=None, pg_url=None, amqp_url=None,
                 redis_url=None, ready_timeout=90.0, log=None):
        self.id = uuid.uuid4().hex[:10]
        self.bin_dir = bin_dir or _default_bin_dir()
        self.repo = repo or os.environ.get("STUDIOGRAPH_REPO") or os.path.dirname(HERE)
        self.extra_env = dict(extra_env or {})
        self.pg_url = (pg_url or os.environ.get("TEST_PG_URL") or DEFAULT_PG_URL).rstrip("/")
        self.amqp_url = amqp_url or os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL
        self.redis_url = redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
        self.ready_timeout = ready_timeout
        self.events_prefix = "sgstack.%s." % self.id
        self.redis_prefix = "sgstack:%s:" % self.id
        self.databases = dict((s, "studiograph_%s_test_stack_%s" % (s, self.id)) for s in SUBGRAPHS)
        self.tmp_dir = None
        self.key_dir = None
        self.log_dir = None
        self.ports = {}
        self.gateway_url = None
        self.graphql_url = None
        self.subgraph_urls = {}
        self.env = {}
        self._procs = {}
        self._logs = {}
        self._stopped = False
        self._started = False
        self._lock = threading.Lock()
        self._log = log or (lambda msg: sys.stderr.write("test_stack: %s\n" % msg))

    # ------------------------------------------------------------------ public API

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        """Creates, migrates and seeds the databases, starts the services, waits for /readyz."""
        if self._started:
            raise StackError("this stack was already started")
        self._started = True
        for svc in SERVICES:
            path = os.path.join(self.bin_dir, svc)
            if not os.access(path, os.X_OK):
                raise StackError(
                    "%s is missing: build with `cargo build --bins -p hr -p production -p render "
                    "-p gateway` (CARGO_TARGET_DIR=%s)" % (path, os.path.dirname(self.bin_dir))
                )
        reap()
        self.tmp_dir = tempfile.mkdtemp(prefix="sgstack-%s-" % self.id)
        self.key_dir = os.path.join(self.tmp_dir, "keys")
        self.log_dir = os.path.join(self.tmp_dir, "logs")
        os.makedirs(self.log_dir)
        atexit.register(self.stop)
        self._register()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stops everything and removes every trace of the stack (idempotent)."""
        with self._lock:
            if self._stopped or not self._started:
                return
            self._stopped = True
        errors = []
        self._terminate(errors)
        _cleanup(
            {
                "databases": list(self.databases.values()),
                "events_prefix": self.events_prefix,
                "redis_prefix": self.redis_prefix,
                "pg_url": self.pg_url,
                "redis_url": self.redis_url,
            },
            errors,
        )
        for f in self._logs.values():
            try:
                f.close()
            except Exception:
                pass
        keep = os.environ.get("TEST_STACK_KEEP_LOGS") == "1"
        if self.tmp_dir and not keep:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        elif self.tmp_dir:
            self._log("logs kept in %s" % self.log_dir)
        try:
            os.unlink(self._registry_path())
        except OSError:
            pass
        for e in errors:
            self._log("cleanup: %s" % e)

    def sql(self, subgraph, query):
        """Runs ``query`` as the superuser in ``subgraph``'s database; rows as lists of strings."""
        return _psql(self._superuser_url(self.databases[subgraph]), query)

    def log_tail(self, service, lines=40):
        """The last lines a service wrote (its stdout and stderr)."""
        path = os.path.join(self.log_dir, service + ".log")
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def process(self, service):
        """The ``subprocess.Popen`` of a running service (to signal it in a test)."""
        return self._procs[service]

    # ------------------------------------------------------------------ internals

    def _superuser_url(self, db):
        return "%s/%s" % (self.pg_url, db)

    def _role_url(self, role, db):
        parts = urllib.parse.urlsplit(self.pg_url)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 5432
        return "postgres://%s@%s:%d/%s" % (role, host, port, db)

    def _registry_path(self):
        return os.path.join(REGISTRY_DIR, self.id + ".json")

    def _register(self):
        os.makedirs(REGISTRY_DIR, exist_ok=True)
        record = {
            "owner_pid": os.getpid(),
            "databases": list(self.databases.values()),
            "events_prefix": self.events_prefix,
            "redis_prefix": self.redis_prefix,
            "pg_url": self.pg_url,
            "redis_url": self.redis_url,
            "tmp_dir": self.tmp_dir,
            "pids": [],
        }
        self._write_registry(record)

    def _write_registry(self, record):
        tmp = self._registry_path() + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, self._registry_path())

    def _build_env(self):
        env = dict(os.environ)
        for k in list(env):
            # The caller's own stack settings must not leak into ours.
            if re.match(r"^(HR|PRODUCTION|RENDER)_.*(DATABASE_URL|LISTEN_ADDR)$", k) or k.startswith("GATEWAY_"):
                del env[k]
        hr_port, prod_port, render_port, gw_port = self.ports["hr"], self.ports["production"], self.ports["render"], self.ports["gateway"]
        env.update({
            "STUDIOGRAPH_MODE": "development",
            "DEV_KEY_DIR": self.key_dir,
            "AMQP_URL": self.amqp_url,
            "EVENTS_PREFIX": self.events_prefix,
            "EVENTS_SHUTDOWN_FLUSH_MS": "3000",
            "REDIS_URL": self.redis_url,
            "RUST_LOG": env.get("TEST_STACK_RUST_LOG", "info"),
            "LOG_FORMAT": "text",
            "NO_COLOR": "1",
            "GATEWAY_LISTEN_ADDR": "127.0.0.1:%d" % gw_port,
            "GATEWAY_SUPERGRAPH_PATH": os.path.join(self.repo, "schema", "supergraph.graphql"),
            "GATEWAY_REDIS_PREFIX": self.redis_prefix,
            "GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "100000",
            "GATEWAY_RATE_LIMIT_PER_TENANT": "1000000",
            "GATEWAY_LOGIN_LIMIT_PER_ACCOUNT": "100000",
            "GATEWAY_LOGIN_LIMIT_PER_IP": "100000",
        })
        for svc, port in (("hr", hr_port), ("production", prod_port), ("render", render_port)):
            up = svc.upper()
            db = self.databases[svc]
            env[up + "_DATABASE_URL"] = self._role_url("studiograph_%s_app" % svc, db)
            env[up + "_MIGRATION_DATABASE_URL"] = self._superuser_url(db)
            env[up + "_RELAY_DATABASE_URL"] = self._role_url("studiograph_%s_relay" % svc, db)
            env[up + "_LISTEN_ADDR"] = "127.0.0.1:%d" % port
            env["GATEWAY_SUBGRAPH_%s_URL" % up] = "http://127.0.0.1:%d/graphql" % port
        env["RENDER_SCHEDULER_DATABASE_URL"] = self._role_url("studiograph_render_scheduler", self.databases["render"])
        env.update(self.extra_env)
        return env

    def _run(self, args, what):
        result = subprocess.run(args, env=self.env, cwd=self.repo, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=300)
        if result.returncode != 0:
            raise StackError("%s failed (exit %d):\n%s" % (what, result.returncode,
                                                           result.stdout.decode("utf-8", "replace")[-4000:]))

    def _start(self):
        ports = _free_ports(4)
        self.ports = dict(zip(SERVICES, ports))
        self.env = self._build_env()
        started = time.monotonic()
        admin = self._superuser_url("postgres")
        for db in self.databases.values():
            _psql(admin, 'CREATE DATABASE "%s"' % db)
        # Create the development key pair once, before four processes race for it.
        self._run([os.path.join(self.bin_dir, "hr"), "dev-token", "admin@northwind.test"], "hr dev-token (keys)")
        # Migrations create the cluster-wide roles with `IF NOT EXISTS`-style blocks; run them one
        # at a time (and seeds after, since render and production seed replicas of HR's people).
        for svc in SUBGRAPHS:
            self._run([os.path.join(self.bin_dir, svc), "migrate"], "%s migrate" % svc)
        for svc in SUBGRAPHS:
            self._run([os.path.join(self.bin_dir, svc), "seed"], "%s seed" % svc)
        for svc in SUBGRAPHS:
            self._spawn(svc)
        for svc in SUBGRAPHS:
            self._wait_port(svc)
        self._spawn("gateway")
        self.gateway_url = "http://127.0.0.1:%d" % self.ports["gateway"]
        self.graphql_url = self.gateway_url + "/graphql"
        self.subgraph_urls = dict((s, "http://127.0.0.1:%d/graphql" % self.ports[s]) for s in SUBGRAPHS)
        self._wait_ready()
        self._log("stack %s up in %.1fs: gateway %s" % (self.id, time.monotonic() - started, self.gateway_url))

    def _spawn(self, svc):
        log = open(os.path.join(self.log_dir, svc + ".log"), "ab")
        self._logs[svc] = log
        kwargs = {}
        if sys.platform.startswith("linux"):
            kwargs["preexec_fn"] = _pdeathsig
        proc = subprocess.Popen([os.path.join(self.bin_dir, svc), "serve"], env=self.env, cwd=self.repo,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kwargs)
        self._procs[svc] = proc
        try:
            with open(self._registry_path()) as f:
                record = json.load(f)
            record["pids"].append(proc.pid)
            self._write_registry(record)
        except (OSError, ValueError):
            pass

    def _check_alive(self, svc):
        proc = self._procs[svc]
        if proc.poll() is not None:
            raise StackError("%s exited with %s during start-up:\n%s" % (svc, proc.returncode, self.log_tail(svc)))

    def _wait_port(self, svc):
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            self._check_alive(svc)
            try:
                socket.create_connection(("127.0.0.1", self.ports[svc]), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise StackError("%s did not listen on :%d within %ss:\n%s" % (svc, self.ports[svc], self.ready_timeout, self.log_tail(svc)))

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        last = None
        while time.monotonic() < deadline:
            for svc in SERVICES:
                self._check_alive(svc)
            try:
                with urllib.request.urlopen(self.gateway_url + "/readyz", timeout=3) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError) as e:
                last = e
            time.sleep(0.2)
        raise StackError("the gateway was not ready within %ss (%s):\n%s" % (self.ready_timeout, last, self.log_tail("gateway")))

    def _terminate(self, errors):
        order = ["gateway"] + list(SUBGRAPHS)
        procs = [(s, self._procs[s]) for s in order if s in self._procs]
        for _, p in procs:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.monotonic() + 15
        for svc, p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                errors.append("%s ignored SIGTERM; killed" % svc)
                p.kill()
                p.wait()


# ---------------------------------------------------------------------- cleanup helpers


def _psql(url, sql):
    result = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tA", "-F", "\t", "-c", sql],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if result.returncode != 0:
        raise StackError("psql %r failed: %s" % (sql, result.stderr.decode("utf-8", "replace").strip()))
    out = result.stdout.decode("utf-8")
    return [line.split("\t") for line in out.splitlines() if line != ""]


def _erl_bin(name):
    return '<<"%s">>' % name.replace("\\", "\\\\").replace('"', '\\"')


def _rabbit_names(kind, prefix):
    result = subprocess.run(["rabbitmqctl", "-q", "list_%s" % kind, "name"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=60)
    if result.returncode != 0:
        raise StackError("rabbitmqctl list_%s: %s" % (kind, result.stderr.decode("utf-8", "replace").strip()))
    names = []
    for line in result.stdout.decode("utf-8").splitlines():
        line = line.strip()
        if line.startswith(prefix):
            names.append(line)
    return names


def _delete_rabbit(prefix, errors):
    """Deletes the queues and exchanges named ``prefix*`` (rabbitmqctl; one `eval` for all)."""
    if shutil.which("rabbitmqctl") is None:
        errors.append("rabbitmqctl not found: RabbitMQ names %s* left behind" % prefix)
        return
    try:
        queues = _rabbit_names("queues", prefix)
        exchanges = _rabbit_names("exchanges", prefix)
    except (StackError, subprocess.TimeoutExpired) as e:
        errors.append(str(e))
        return
    if not queues and not exchanges:
        return
    expr = (
        'VH = <<"/">>, U = <<"test_stack">>, '
        "[case rabbit_amqqueue:lookup(rabbit_misc:r(VH, queue, N)) of "
        "{ok, Q} -> rabbit_amqqueue:delete(Q, false, false, U); _ -> ok end || N <- [%s]], "
        "[rabbit_exchange:delete(rabbit_misc:r(VH, exchange, N), false, U) || N <- [%s]], ok."
        % (", ".join(_erl_bin(q) for q in queues), ", ".join(_erl_bin(x) for x in exchanges))
    )
    result = subprocess.run(["rabbitmqctl", "eval", expr], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if result.returncode == 0:
        return
    # The internal API changed: fall back to the stable CLI for queues (exchanges then remain).
    for q in queues:
        subprocess.run(["rabbitmqctl", "-q", "delete_queue", q], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
    errors.append("rabbitmqctl eval failed (%s); exchanges %s* left behind"
                  % (result.stderr.decode("utf-8", "replace").strip()[:200], prefix))


def _delete_redis(redis_url, prefix, errors):
    if shutil.which("redis-cli") is None:
        errors.append("redis-cli not found: Redis keys %s* left behind" % prefix)
        return
    base = ["redis-cli", "-u", redis_url]
    scan = subprocess.run(base + ["--scan", "--pattern", prefix.replace("*", "\\*") + "*"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if scan.returncode != 0:
        errors.append("redis-cli --scan: %s" % scan.stderr.decode("utf-8", "replace").strip())
        return
    keys = [k for k in scan.stdout.decode("utf-8").splitlines() if k]
    for i in range(0, len(keys), 500):
        subprocess.run(base + ["del"] + keys[i:i + 500], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def _cleanup(record, errors):
    admin = "%s/postgres" % record["pg_url"].rstrip("/")
    for db in record["databases"]:
        try:
            _psql(admin, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
        except (StackError, subprocess.TimeoutExpired) as e:
            errors.append(str(e))
    _delete_rabbit(record["events_prefix"], errors)
    _delete_redis(record["redis_url"], record["redis_prefix"], errors)


def reap(log=None):
    """Cleans up after stacks whose owner process is gone (killed before it could stop them)."""
    log = log or (lambda msg: sys.stderr.write("test_stack: %s\n" % msg))
    try:
        names = os.listdir(REGISTRY_DIR)
    except OSError:
        return 0
    reaped = 0
    for name in names:
        if not name.endswith(".json"):
            continue
        path = os.path.join(REGISTRY_DIR, name)
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            continue
        if _pid_alive(record.get("owner_pid", 0)):
            continue
        for pid in record.get("pids", []):
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    if b"serve" not in f.read():
                        continue
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        errors = []
        _cleanup(record, errors)
        if record.get("tmp_dir"):
            shutil.rmtree(record["tmp_dir"], ignore_errors=True)
        for e in errors:
            log("reap %s: %s" % (name, e))
        try:
            os.unlink(path)
        except OSError:
            pass
        reaped += 1
    return reaped


def main(argv=None):
    parser = argparse.ArgumentParser(description="A private Studiograph stack for tests.")
    sub = parser.add_subparsers(dest="command")
    up = sub.add_parser("up", help="start a stack, print its URLs, wait for Ctrl-C, clean up")
    up.add_argument("--bin-dir", help="where the debug binaries are (default $CARGO_TARGET_DIR/debug)")
    up.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for the services (repeatable), e.g. GATEWAY_STATIC_DIR=frontend/dist")
    sub.add_parser("reap", help="clean up after stacks whose owner process died")
    args = parser.parse_args(argv)
    if args.command == "reap":
        print("reaped %d stack(s)" % reap())
        return 0
    if args.command != "up":
        parser.print_help()
        return 2
    extra = dict(kv.split("=", 1) for kv in args.env)
    stack = TestStack(bin_dir=args.bin_dir, extra_env=extra)

    def on_signal(signum, frame):
        raise KeyboardInterrupt()

    # SIGINT too: a shell starting us in the background would have left it ignored.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        stack.start()
        print("gateway     %s  (GraphQL %s)" % (stack.gateway_url, stack.graphql_url))
        for s in SUBGRAPHS:
            print("%-11s %s  database %s" % (s, stack.subgraph_urls[s], stack.databases[s]))
        print("events prefix %s  redis prefix %s  keys %s" % (stack.events_prefix, stack.redis_prefix, stack.key_dir))
        print("logs        %s" % stack.log_dir)
        print("users: admin@ hr@ sup@ artist@ wrangler@northwind.test, lead@vendorx.test (password studiograph-dev)")
        print("Ctrl-C stops the stack and removes its databases, queues and keys.")
        sys.stdout.flush()
        while True:
            for svc in SERVICES:
                if stack.process(svc).poll() is not None:
                    print("%s exited (%s):\n%s" % (svc, stack.process(svc).returncode, stack.log_tail(svc)))
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    except StackError as e:
        sys.stderr.write("test_stack: %s\n" % e)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
