"""The examples, run as scripts against the stack: the Maya shelf publish on plain files, the
render submitter (watched to the end with a real render agent), the signed webhook forwarder."""

import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import threading
import uuid

import pytest

from conftest import PACKAGE_ROOT
from proxy import wait_for
from test_subscriptions import Toggler

EXAMPLES = os.path.join(PACKAGE_ROOT, "examples")


def run_example(name, args, env, timeout=120):
    full_env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT, **env)
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)] + args, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return result.returncode, result.stdout.decode("utf-8", "replace")


def start_example(name, args, env):
    full_env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT, **env)
    return subprocess.Popen([sys.executable, os.path.join(EXAMPLES, name)] + args, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def artist_token(artist):
    return artist.create_api_token("examples", ["production:read", "production:write", "render:read", "render:submit"])["token"]


@pytest.fixture
def own_shot(admin, project):
    """A shot of its own, so that exactly one of the artist's tasks matches its code."""
    code = "SQ800_SH%s" % uuid.uuid4().hex[:4].upper()
    return admin.execute(
        "mutation($input: CreateShotInput!) { createShot(input: $input) { id code frameStart frameEnd } }",
        {"input": {"projectId": project["id"], "code": code, "frameStart": 1, "frameEnd": 20}},
    )["createShot"]


def test_maya_shelf_publish_on_plain_files(url, artist_token, sup, own_shot, artist_employee, tmp_path, stack, project):
    task = sup.execute(
        "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }",
        {"input": {"shotId": own_shot["id"], "name": "Animation", "type": "ANIMATION"}},
    )["createTask"]
    sup.execute("mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { id } }",
                {"t": task["id"], "e": artist_employee["id"]})
    scene = tmp_path / "work" / own_shot["code"].lower() / "anim" / ("%s_anim.ma" % own_shot["code"].lower())
    scene.parent.mkdir(parents=True)
    scene.write_text("//Maya ASCII scene\ncreateNode transform -n \"cam\";\n")
    publish_root = tmp_path / "publish"
    env = {"STUDIOGRAPH_URL": url, "STUDIOGRAPH_API_TOKEN": artist_token}
    args = [str(scene), "--frames", "1-20", "-m", "blocking pass", "--type", "animation", "--publish-root", str(publish_root)]

    code, out = run_example("maya_shelf_publish.py", args, env)
    assert code == 0, out
    assert "Published v001 of %s Animation" % own_shot["code"] in out
    published = publish_root / project["code"] / own_shot["code"] / "animation" / "v001" / scene.name
    assert published.read_text() == scene.read_text()

    # Pressing the button again for the same file publishes nothing new.
    code, out = run_example("maya_shelf_publish.py", args, env)
    assert code == 0 and "Already published as v001" in out, out
    # A changed scene is the next version.
    scene.write_text(scene.read_text() + "setAttr \"cam.tx\" 1;\n")
    code, out = run_example("maya_shelf_publish.py", args, env)
    assert code == 0 and "Published v002" in out, out
    rows = stack.sql("production", "SELECT number, path, comment, frame_start, frame_end FROM versions "
                                   "WHERE task_id = '%s' ORDER BY number" % task["id"])
    assert [r[0] for r in rows] == ["1", "2"]
    assert rows[0][1] == str(published) and rows[0][2:] == ["blocking pass", "1", "20"]

    # No matching task: a readable refusal, not a traceback.
    other = tmp_path / "elsewhere.ma"
    other.write_text("x")
    code, out = run_example("maya_shelf_publish.py", [str(other)], env)
    assert code != 0 and "none of your open tasks matches" in out


@pytest.fixture
def render_agent(stack, url, admin):
    token = login_wrangler(url).create_api_token("pytest agent", ["render:agent"])["token"]
    agent = subprocess.Popen(
        [os.path.join(stack.bin_dir, "render-agent"), "--url", url, "--token", token, "--pool", "cpu",
         "--hostname", "pytest-node-%s" % uuid.uuid4().hex[:6]],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield agent
    agent.terminate()
    try:
        agent.wait(timeout=20)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.wait()


def login_wrangler(url):
    from conftest import login
    return login(url, "wrangler")


def test_render_submit_and_watch_to_success(url, artist_token, own_shot, project, render_agent, stack):
    env = {"STUDIOGRAPH_URL": url, "STUDIOGRAPH_API_TOKEN": artist_token}
    args = [own_shot["code"], "--project", project["code"], "--command", "true {frame_start} {frame_end}",
            "--frames", "1-10", "--chunk", "5", "--priority", "100", "--key", "pytest-" + uuid.uuid4().hex, "--watch"]
    code, out = run_example("render_submit.py", args, env, timeout=180)
    assert code == 0, out
    assert "Submitted %s render" % own_shot["code"] in out and "frames 1-10 in 2 chunks on cpu, priority 100" in out
    assert "Finished: SUCCEEDED" in out
    rows = stack.sql("render", "SELECT status FROM jobs WHERE name = '%s render'" % own_shot["code"])
    assert rows == [["SUCCEEDED"]]


def test_render_submit_refuses_an_unknown_shot(url, artist_token):
    code, out = run_example("render_submit.py", ["NO_SUCH_SHOT", "--command", "true"],
                            {"STUDIOGRAPH_URL": url, "STUDIOGRAPH_API_TOKEN": artist_token})
    assert code != 0 and "no shot NO_SUCH_SHOT" in out


class Hook(object):
    """A webhook receiver that refuses its first delivery with 500."""

    def __init__(self):
        self.deliveries = []  # (status answered, headers, body)
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if not hook.deliveries else 204
                hook.deliveries.append((status, dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self):
        return [(h, b) for s, h, b in self.deliveries if s == 204]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_events_webhook_signs_retries_and_resumes(url, admin, artist, task, tmp_path, stack):
    secret = "pytest-secret-" + uuid.uuid4().hex
    token = admin.create_api_token("webhook", ["production:read"])["token"]
    env = {"STUDIOGRAPH_URL": url, "STUDIOGRAPH_API_TOKEN": token, "WEBHOOK_SECRET": secret}
    cursor_file = tmp_path / "cursor"
    hook = Hook()
    toggle = Toggler(artist, task["id"])
    try:
        args = [hook.url, "--types", "task.*", "--cursor-file", str(cursor_file), "--max-events", "3"]
        proc = start_example("events_webhook.py", args, env)
        # It starts live: make task events until three are delivered.
        for _ in range(60):
            toggle()
            try:
                wait_for(lambda: len(hook.accepted()) >= 3, timeout=0.5)
                break
            except AssertionError:
                continue
        out = proc.communicate(timeout=60)[0].decode("utf-8", "replace")
        assert proc.returncode == 0, out
        accepted = hook.accepted()
        assert len(accepted) == 3, out
        # The first attempt was refused with 500 and sent again, the same event.
        assert hook.deliveries[0][0] == 500
        assert hook.deliveries[0][1]["X-Studiograph-Event-Id"] == accepted[0][0]["X-Studiograph-Event-Id"]
        for headers, body in accepted + [hook.deliveries[0][1:]]:
            ts = headers["X-Studiograph-Timestamp"]
            expected = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["X-Studiograph-Signature"], expected)
            event = json.loads(body.decode("utf-8"))
            assert event["type"].startswith("task.") and headers["X-Studiograph-Event-Type"] == event["type"]
            assert headers["X-Studiograph-Event-Id"] == event["id"]
        events = [json.loads(b.decode("utf-8")) for _, b in accepted]
        assert len(set(e["id"] for e in events)) == 3
        assert cursor_file.read_text() == events[-1]["cursor"]

        # Events while the forwarder is down are delivered by the next run, from the cursor.
        toggle(2)
        tenant = admin.me()["tenant"]["id"]
        sql = ("SELECT id FROM event_log WHERE tenant_id = '%s' AND event_type LIKE 'task.%%' AND seq > "
               "(SELECT seq FROM event_log WHERE id = '%s') ORDER BY seq" % (tenant, events[-1]["id"]))
        wait_for(lambda: len(stack.sql("production", sql)) >= 2, message="the two events in the log")
        missed = [r[0] for r in stack.sql("production", sql)][:2]
        args = [hook.url, "--types", "task.*", "--cursor-file", str(cursor_file), "--max-events", "2"]
        code, out = run_example("events_webhook.py", args, env)
        assert code == 0, out
        assert "after the saved cursor" in out
        resumed = [json.loads(b.decode("utf-8"))["id"] for _, b in hook.accepted()[3:]]
        assert resumed == missed
    finally:
        hook.close()
