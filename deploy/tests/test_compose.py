"""docker-compose.yml, .env.example, the Dockerfile and the container scripts."""

import copy
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from studiograph_deploy import compose

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


@pytest.fixture(scope="module")
def doc():
    return compose.load(COMPOSE, compose.read_env_file(ENV_EXAMPLE))


def test_compose_file_is_valid_and_complete(doc):
    assert compose.problems(doc, ROOT) == []


def test_compose_defaults_alone_give_a_valid_file():
    """`docker compose up` on a fresh clone (no .env) interpolates only the defaults."""
    assert compose.problems(compose.load(COMPOSE, {}), ROOT) == []


def test_env_example_documents_every_variable():
    assert compose.env_example_problems(COMPOSE.read_text(), ENV_EXAMPLE) == []


def test_interpolation_follows_compose():
    env = {"SET": "x", "EMPTY": ""}
    assert compose.interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $$HOME ${SET}", env) == "x d  d $HOME x"
    with pytest.raises(ValueError):
        compose.interpolate("${UNSET:?set it}", env)


def test_init_script_creates_every_role_and_database_the_urls_use(doc):
    script = (ROOT / "deploy/docker/postgres-init.sh").read_text()
    urls = [v for s in doc["services"].values() for k, v in compose._env(s).items() if k.endswith("DATABASE_URL")]
    assert urls
    for url in urls:
        m = re.match(r"postgres://([^:]+):[^@]+@postgres:5432/(\w+)$", url)
        assert m, url
        role, db = m.groups()
        assert re.search(rf"CREATE ROLE {role} LOGIN", script), role
        assert f"CREATE DATABASE {db} OWNER" in script, db
    for role in ("studiograph_hr_app", "studiograph_production_app", "studiograph_render_app"):
        assert re.search(rf"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS", script), role
    assert re.search(r"CREATE ROLE studiograph_render_scheduler LOGIN NOSUPERUSER BYPASSRLS", script)
    # The relay roles: created here with their own password (the events migration's IF NOT EXISTS
    # keeps them), no BYPASSRLS, CONNECT on their own database and on no other.
    for sg in ("hr", "production", "render"):
        role = f"studiograph_{sg}_relay"
        assert re.search(rf"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'{sg}_relay';",
                         script), role
        assert f'-v {sg}_relay="${sg.upper()}_RELAY_DB_PASSWORD"' in script, role
        grants = re.findall(rf"(?m)^GRANT (.*) ON DATABASE (\w+) TO (?:.*, )?{role}(?:,.*)?;$", script)
        assert grants == [("CONNECT", f"studiograph_{sg}")], (role, grants)


def test_postgres_service_passes_every_password_the_init_script_requires(doc):
    script = (ROOT / "deploy/docker/postgres-init.sh").read_text()
    loop = re.search(r"for var in ([A-Z0-9_\s\\]+); do", script)
    assert loop, "the init script's list of required variables"
    required = set(re.findall(r"[A-Z][A-Z0-9_]+", loop.group(1)))
    assert {f"{sg}_RELAY_DB_PASSWORD" for sg in ("HR", "PRODUCTION", "RENDER")} <= required
    env = compose._env(doc["services"]["postgres"])
    assert sorted(v for v in required if not env.get(v)) == []


def test_init_script_refuses_a_missing_relay_password():
    env = {k: "x" for k in ("HR_OWNER_DB_PASSWORD", "HR_APP_DB_PASSWORD", "PRODUCTION_OWNER_DB_PASSWORD",
                            "PRODUCTION_APP_DB_PASSWORD", "PRODUCTION_RELAY_DB_PASSWORD", "RENDER_OWNER_DB_PASSWORD",
                            "RENDER_APP_DB_PASSWORD", "RENDER_RELAY_DB_PASSWORD", "RENDER_SCHEDULER_DB_PASSWORD")}
    env["PATH"] = "/usr/bin:/bin"
    res = subprocess.run(["bash", str(ROOT / "deploy/docker/postgres-init.sh")], env=env, capture_output=True, text=True)
    assert res.returncode != 0 and "HR_RELAY_DB_PASSWORD is not set" in res.stderr, res


def test_compose_durations():
    assert compose.duration_secs("60s") == 60
    assert compose.duration_secs("1m30s") == 90
    assert compose.duration_secs("500ms") == 0.5
    assert compose.duration_secs("often") is None
    assert compose.duration_secs("60") is None


def test_dockerfile_builds_small_non_root_images():
    text = DOCKERFILE.read_text()
    stages = {alias: base for base, alias in re.findall(r"(?im)^FROM\s+(\S+)\s+AS\s+(\S+)", text)}
    for target in ("gateway", "hr", "production", "render", "render-agent"):
        assert stages.get(target) == "runtime", f"{target} must build FROM the runtime stage"
    runtime = text.split("AS runtime", 1)[1].split("\nFROM ", 1)[0]
    assert re.search(r"(?m)^USER 10001:10001$", runtime), "the runtime stage runs as uid 10001"
    assert "debian:bookworm-slim AS runtime" in text
    assert "cargo build --release --locked" in text
    assert "--mount=type=cache,target=/usr/local/cargo/registry" in text
    for binary in ("hr", "production", "render", "render-agent", "gateway"):
        assert f"/out/{binary} /usr/local/bin/{binary}" in text, binary
    assert "COPY schema/supergraph.graphql /app/supergraph.graphql" in text
    assert "COPY --from=spa /src/frontend/dist /app/static" in text
    for target in ("hr", "production", "render", "gateway"):
        block = text.split(f"AS {target}\n", 1)[1].split("\nFROM ", 1)[0]
        assert "HEALTHCHECK" in block and "ENTRYPOINT" in block, target


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("target", ".git", "**/node_modules", ".env", ".dev"):
        assert pattern in ignored, pattern


@pytest.mark.parametrize("script", ["deploy/docker/healthcheck", "deploy/docker/jwt-keys.sh",
                                    "deploy/docker/agent-token.sh", "deploy/docker/postgres-init.sh",
                                    "deploy/check.sh", "scripts/services.sh"])
def test_shell_scripts_parse(script):
    shell = "sh" if script.endswith(("jwt-keys.sh", "agent-token.sh")) else "bash"
    subprocess.run([shell, "-n", str(ROOT / script)], check=True)
    if shutil.which("shellcheck"):
        subprocess.run(["shellcheck", "-S", "warning", str(ROOT / script)], check=True)


def test_healthcheck_script_against_a_real_server(tmp_path):
    """The image's health check speaks enough HTTP/1.0 to tell 200 from 503."""
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        port = str(srv.server_address[1])
        hc = str(ROOT / "deploy/docker/healthcheck")
        assert subprocess.run(["bash", hc, port, "/healthz"]).returncode == 0
        assert subprocess.run(["bash", hc, port, "/readyz"]).returncode != 0
    finally:
        srv.shutdown()
    assert subprocess.run(["bash", hc, "1", "/healthz"], stderr=subprocess.DEVNULL).returncode != 0


# ---- the checker catches what it claims to (each case breaks one copy of the real file)

def _broken(doc, mutate):
    d = copy.deepcopy(doc)
    mutate(d["services"])
    return compose.problems(d, ROOT)


@pytest.mark.parametrize("mutate, expected", [
    (lambda s: s["hr"].pop("healthcheck"), "service hr: no healthcheck"),
    (lambda s: s["gateway"]["depends_on"].__setitem__("hr", {"condition": "service_started"}),
     "service gateway: depends_on hr must use service_healthy"),
    (lambda s: s["hr"].__setitem__("depends_on", {**s["hr"]["depends_on"], "hr-migrate": {"condition": "service_healthy"}}),
     "hr: does not wait for hr-migrate"),
    (lambda s: s["render"].__setitem__("depends_on", ["postgres"]), "service render: depends_on postgres without a condition"),
    (lambda s: s["production"].pop("image") and s["production"].pop("build"), "service production: neither image nor build"),
    (lambda s: s["hr"].__setitem__("ports", ["4001:4001"]), "hr: publishes ports"),
    (lambda s: s.pop("redis"), "service redis is missing"),
    (lambda s: s["hr"]["environment"].pop("AMQP_URL"), "hr: environment AMQP_URL is not set"),
    (lambda s: s["hr"]["healthcheck"].__setitem__("interval", "often"), "compose spec"),
    (lambda s: s["render-agent-1"]["networks"].append("backend"), "render-agent-1: is on the edge network"),
    (lambda s: s["hr"]["build"].__setitem__("target", "hr-typo"), "build target hr-typo is not a stage"),
    # the event machinery: the relay's own role, never the owner, and time to flush at SIGTERM
    (lambda s: s["hr"]["environment"].pop("HR_RELAY_DATABASE_URL"), "hr: environment HR_RELAY_DATABASE_URL is not set"),
    (lambda s: s["render"]["environment"].__setitem__("RENDER_RELAY_DATABASE_URL", ""),
     "render: environment RENDER_RELAY_DATABASE_URL is not set"),
    (lambda s: s["production"]["environment"].__setitem__(
        "PRODUCTION_RELAY_DATABASE_URL", s["production-migrate"]["environment"]["PRODUCTION_MIGRATION_DATABASE_URL"]),
     "production: PRODUCTION_RELAY_DATABASE_URL connects as 'studiograph_production_owner', expected the relay role"),
    (lambda s: s["render"]["environment"].__setitem__(
        "RENDER_MIGRATION_DATABASE_URL", s["render-migrate"]["environment"]["RENDER_MIGRATION_DATABASE_URL"]),
     "render: holds RENDER_MIGRATION_DATABASE_URL (the owner role)"),
    (lambda s: s["hr-migrate"]["environment"].__setitem__("HR_RELAY_DATABASE_URL", s["hr"]["environment"]["HR_RELAY_DATABASE_URL"]),
     "hr-migrate: holds HR_RELAY_DATABASE_URL"),
    (lambda s: s["hr"].__setitem__("stop_grace_period", "40s"), "hr: stop_grace_period 40 s is under HTTP drain 30 s"),
    (lambda s: s["production"]["environment"].__setitem__("EVENTS_SHUTDOWN_FLUSH_MS", "60000"),
     "production: stop_grace_period 60 s is under HTTP drain 30 s + consumers 5 s + EVENTS_SHUTDOWN_FLUSH_MS 60000 ms"),
    (lambda s: s["render"]["environment"].__setitem__("EVENTS_ENABLED", "false"), "render: EVENTS_ENABLED is off"),
    (lambda s: s["postgres"]["depends_on"].update({"gateway": {"condition": "service_healthy"}})
     if "depends_on" in s["postgres"] else s["postgres"].__setitem__("depends_on", {"gateway": {"condition": "service_healthy"}}),
     "depends_on cycle"),
])
def test_checker_catches(doc, mutate, expected):
    found = _broken(doc, mutate)
    assert any(expected in p for p in found), found


def test_checker_catches_a_broken_file_on_disk(tmp_path):
    """A copy of docker-compose.yml with the gateway's healthcheck deleted fails the check."""
    text = COMPOSE.read_text()
    start = text.index("  gateway:\n")
    block = text[start:text.index("\n  # ----", start)]
    hc = block.index("    healthcheck:\n")
    end = block.index("    stop_grace_period", hc)
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(block, block[:hc] + block[end:]))
    found = compose.problems(compose.load(broken, {}), ROOT)
    assert "service gateway: no healthcheck (and it is not a one-shot job others wait for)" in found
    assert any("waits for gateway to be healthy but gateway has no healthcheck" in p for p in found)


def test_checker_catches_a_missing_relay_url_on_disk(tmp_path):
    """A copy of docker-compose.yml whose hr service no longer merges its relay URL fails the
    check (with .env.example and with no .env), and only for that."""
    text = COMPOSE.read_text()
    merge = "<<: [*common-env, *events-env, *hr-db, *hr-relay]"
    assert text.count(merge) == 1
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(merge, "<<: [*common-env, *events-env, *hr-db]"))
    for env in (compose.read_env_file(ENV_EXAMPLE), {}):
        assert compose.problems(compose.load(broken, env), ROOT) == ["hr: environment HR_RELAY_DATABASE_URL is not set"]
