"""scripts/test_stack.py leaves nothing behind, even when the process that started a stack is
killed with SIGKILL: its services die with it, and the next stack (or `reap`) drops its
databases, RabbitMQ queues and exchanges, Redis keys and files."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import test_stack
from conftest import PACKAGE_ROOT, REPO
from proxy import wait_for

CHILD = textwrap.dedent('''
    import json, sys, time
    sys.path[:0] = [%r, %r]
    from test_stack import TestStack
    import studiograph
    s = TestStack(log=lambda m: None)
    s.start()
    # Leave a Redis key behind too: the gateway caches a used API token for 30 s.
    token = studiograph.Client.login(s.gateway_url, "artist@northwind.test", "studiograph-dev").create_api_token(
        "reaped", ["production:read"])["token"]
    studiograph.Client(s.gateway_url, api_token=token).me()
    print(json.dumps({"id": s.id, "pids": [s.process(n).pid for n in ("hr", "production", "render", "gateway")],
                      "tmp": s.tmp_dir}), flush=True)
    time.sleep(600)
''') % (os.path.join(REPO, "scripts"), PACKAGE_ROOT)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def rabbit(kind, prefix):
    out = subprocess.run(["rabbitmqctl", "-q", "list_%s" % kind, "name"], stdout=subprocess.PIPE, check=True).stdout
    return [n for n in out.decode().split() if n.startswith(prefix)]


def redis_keys(prefix):
    out = subprocess.run(["redis-cli", "--scan", "--pattern", prefix + "*"], stdout=subprocess.PIPE, check=True).stdout
    return out.decode().split()


def databases(stack_id):
    return test_stack._psql(test_stack.DEFAULT_PG_URL + "/postgres",
                            "SELECT datname FROM pg_database WHERE datname LIKE '%%test_stack_%s'" % stack_id)


@pytest.mark.skipif(not (shutil.which("rabbitmqctl") and shutil.which("redis-cli")),
                    reason="needs the local rabbitmqctl and redis-cli (the launcher's cleanup tools)")
def test_a_killed_owner_leaves_nothing_once_reaped():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE)
    try:
        info = json.loads(child.stdout.readline().decode())
    finally:
        child.kill()
        child.wait()
    sid = info["id"]
    events_prefix, redis_prefix = "sgstack.%s." % sid, "sgstack:%s:" % sid
    # What it had made before it was killed:
    assert len(databases(sid)) == 3
    assert rabbit("queues", events_prefix) and rabbit("exchanges", events_prefix)
    assert redis_keys(redis_prefix)
    # Its services die with it (PR_SET_PDEATHSIG), then a reap removes the rest.
    wait_for(lambda: not any(alive(p) for p in info["pids"]), timeout=30, message="the services to exit")
    assert test_stack.reap(log=lambda m: None) >= 1
    assert databases(sid) == []
    assert rabbit("queues", events_prefix) == [] and rabbit("exchanges", events_prefix) == []
    assert redis_keys(redis_prefix) == []
    assert not os.path.exists(info["tmp"])
    assert not os.path.exists(os.path.join(test_stack.REGISTRY_DIR, sid + ".json"))
