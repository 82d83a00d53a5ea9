"""Checks of docker-compose.yml: `problems(path, env_example)` returns what is wrong, [] if nothing.

The file is interpolated the way `docker compose config` does (`${VAR}`, `${VAR:-default}`,
`${VAR-default}`, `${VAR:?msg}`, `$$`) with the values of .env.example, then parsed by the
`compose-spec` package (the Rust `compose_spec` crate: the Compose Specification, strict: unknown
keys, bad durations or conditions are errors), then checked for what the platform needs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from . import dockerfile as dockerfile_checks

# The subgraphs' SIGTERM order (docs/operations.md, "Events"): HTTP drain (budget), the
# consumers' message in hand (budget), then the relay's flush (EVENTS_SHUTDOWN_FLUSH_MS).
HTTP_DRAIN_SECS = 30
CONSUMER_FINISH_SECS = 5
DEFAULT_SHUTDOWN_FLUSH_MS = 10_000
DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
VAR = re.compile(r"\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\})")
INFRA = ("postgres", "rabbitmq", "redis")
SUBGRAPHS = {"hr": 4001, "production": 4002, "render": 4003}


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file (comments and blank lines skipped)."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if sep:
            env[key.strip()] = value.strip().strip('"').strip("'")
    return env


def variables(text: str) -> set[str]:
    """Every variable the compose file interpolates."""
    return {m.group(2) for m in VAR.finditer(text) if m.group(2)}


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation of `text` with `env`; raises ValueError on a `:?`/`?` miss."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) == "$":
            return "$"
        name, op, arg = m.group(2), m.group(3), m.group(4) or ""
        value = env.get(name)
        if op == ":-":
            return value if value else interpolate(arg, env)
        if op == "-":
            return value if value is not None else interpolate(arg, env)
        if op in (":?", "?") and (value is None or (op == ":?" and not value)):
            raise ValueError(f"required variable {name} is missing: {arg}")
        return value or ""

    return VAR.sub(sub, text)


def load(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """The interpolated, anchor-resolved compose file as a dict."""
    return yaml.safe_load(interpolate(path.read_text(), env))


def spec_problems(doc: dict[str, Any]) -> list[str]:
    """Validation against the Compose Specification (compose-spec package)."""
    from compose_spec import PyCompose  # imported late: the venv provides it

    try:
        PyCompose.from_json(json.dumps(doc))
    except ValueError as e:
        return [f"compose spec: {e}"]
    return []


def _depends(svc: dict[str, Any]) -> dict[str, Any]:
    deps = svc.get("depends_on") or {}
    return {d: None for d in deps} if isinstance(deps, list) else deps


def _env(svc: dict[str, Any]) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def duration_secs(value: Any) -> float | None:
    """A Compose duration (`60s`, `1m30s`, `500ms`) in seconds; None if it is not one."""
    text = str(value).strip()
    parts = DURATION.findall(text)
    if not text or "".join(n + u for n, u in parts) != text:
        return None
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * unit[u] for n, u in parts)


def db_user(url: str) -> str | None:
    """The role of a postgres:// URL."""
    m = re.match(r"postgres(?:ql)?://([^:@/]+)", url)
    return m.group(1) if m else None


def _one_shots(services: dict[str, Any]) -> set[str]:
    """Services some other service waits for with service_completed_successfully."""
    return {
        dep
        for svc in services.values()
        for dep, cond in _depends(svc).items()
        if isinstance(cond, dict) and cond.get("condition") == "service_completed_successfully"
    }


def problems(doc: dict[str, Any], root: Path) -> list[str]:
    """Everything wrong with the (interpolated) compose document `doc`; `root` is the repo."""
    out = spec_problems(doc)
    services: dict[str, Any] = doc.get("services") or {}
    one_shots = _one_shots(services)
    declared_volumes = set((doc.get("volumes") or {}).keys())
    declared_networks = set((doc.get("networks") or {}).keys())

    for name in INFRA:
        if name not in services:
            out.append(f"service {name} is missing (scripts/services.sh starts it by name)")

    for name, svc in services.items():
        where = f"service {name}"
        if "image" not in svc and "build" not in svc:
            out.append(f"{where}: neither image nor build")
        build = svc.get("build")
        if isinstance(build, dict):
            out.extend(_build_problems(where, build, root))

        hc = svc.get("healthcheck") or {}
        has_hc = bool(hc.get("test")) and not hc.get("disable")
        if name in one_shots:
            if svc.get("restart", "no") not in ("no", "on-failure"):
                out.append(f"{where}: a one-shot job must not restart always (restart: {svc.get('restart')})")
        elif not has_hc and not svc.get("x-healthcheck-exempt"):
            out.append(f"{where}: no healthcheck (and it is not a one-shot job others wait for)")
        if name not in one_shots and svc.get("restart") in (None, "no"):
            out.append(f"{where}: a long-running service needs a restart policy")

        for dep, cond in _depends(svc).items():
            if dep not in services:
                out.append(f"{where}: depends on unknown service {dep}")
                continue
            condition = cond.get("condition") if isinstance(cond, dict) else None
            if condition is None:
                out.append(f"{where}: depends_on {dep} without a condition")
            elif dep in one_shots and condition != "service_completed_successfully":
                out.append(f"{where}: depends_on one-shot {dep} must use service_completed_successfully")
            elif dep not in one_shots and condition != "service_healthy":
                out.append(f"{where}: depends_on {dep} must use service_healthy (got {condition})")
            if condition == "service_healthy":
                dhc = services[dep].get("healthcheck") or {}
                if not dhc.get("test") or dhc.get("disable"):
                    out.append(f"{where}: waits for {dep} to be healthy but {dep} has no healthcheck")

        for vol in svc.get("volumes") or []:
            source = vol.split(":", 1)[0] if isinstance(vol, str) else vol.get("source", "")
            if source.startswith((".", "/")):
                if not (root / source).exists():
                    out.append(f"{where}: bind-mounted {source} does not exist")
            elif source and source not in declared_volumes:
                out.append(f"{where}: volume {source} is not declared")
        nets = svc.get("networks") or []
        for net in nets if isinstance(nets, list) else nets.keys():
            if net not in declared_networks:
                out.append(f"{where}: network {net} is not declared")

    out.extend(_cycle_problems(services))
    out.extend(_platform_problems(services, root))
    return out


def _build_problems(where: str, build: dict[str, Any], root: Path) -> list[str]:
    out: list[str] = []
    context = root / build.get("context", ".")
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    if not dockerfile.is_file():
        return [f"{where}: Dockerfile {dockerfile} does not exist"]
    stages = re.findall(r"(?im)^FROM\s+\S+\s+AS\s+(\S+)", dockerfile.read_text())
    target = build.get("target")
    if target and target not in stages:
        out.append(f"{where}: build target {target} is not a stage of {dockerfile.name} ({stages})")
    return out


def _cycle_problems(services: dict[str, Any]) -> list[str]:
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> list[str]:
        if state.get(name) == 2 or name not in services:
            return []
        if state.get(name) == 1:
            return [f"depends_on cycle: {' -> '.join(trail + [name])}"]
        state[name] = 1
        found = [p for dep in _depends(services[name]) for p in visit(dep, trail + [name])]
        state[name] = 2
        return found

    return [p for name in services for p in visit(name, [])]


def _platform_problems(services: dict[str, Any], root: Path) -> list[str]:
    """What Studiograph itself needs: migrations first, subgraphs private, gateway wired up."""
    out: list[str] = []
    for sg, port in SUBGRAPHS.items():
        prefix = sg.upper()
        svc = services.get(sg)
        if svc is None:
            out.append(f"subgraph service {sg} is missing")
            continue
        migrate = [
            n for n, s in services.items() if s.get("command") == ["migrate"] and s.get("image") == svc.get("image")
        ]
        if not migrate:
            out.append(f"{sg}: no one-shot `{sg} migrate` service with the same image")
        for m in migrate:
            cond = _depends(svc).get(m)
            if not (isinstance(cond, dict) and cond.get("condition") == "service_completed_successfully"):
                out.append(f"{sg}: does not wait for {m} (service_completed_successfully)")
            if f"{prefix}_MIGRATION_DATABASE_URL" not in _env(services[m]):
                out.append(f"{m}: no {prefix}_MIGRATION_DATABASE_URL (the owner role runs migrations)")
            if f"{prefix}_RELAY_DATABASE_URL" in _env(services[m]):
                out.append(f"{m}: holds {prefix}_RELAY_DATABASE_URL; only `{sg} serve` runs the relay")
        if svc.get("ports"):
            out.append(f"{sg}: publishes ports, but subgraphs are never public")
        env = _env(svc)
        required = [f"{prefix}_DATABASE_URL", f"{prefix}_RELAY_DATABASE_URL", f"{prefix}_LISTEN_ADDR",
                    "JWT_PUBLIC_KEY_FILE", "AMQP_URL"]
        if sg == "render":
            required.append("RENDER_SCHEDULER_DATABASE_URL")
        for var in required:
            if not env.get(var):
                out.append(f"{sg}: environment {var} is not set")
        out.extend(_events_problems(sg, svc, env))
        if env.get(f"{prefix}_LISTEN_ADDR") and not env[f"{prefix}_LISTEN_ADDR"].endswith(f":{port}"):
            out.append(f"{sg}: listens on {env[f'{prefix}_LISTEN_ADDR']}, expected port {port}")
        if env.get("STUDIOGRAPH_MODE") != "production":
            out.append(f"{sg}: STUDIOGRAPH_MODE is not production")
        hc = json.dumps((svc.get("healthcheck") or {}).get("test"))
        if str(port) not in hc:
            out.append(f"{sg}: healthcheck does not probe its port {port}")

    gw = services.get("gateway")
    if gw is None:
        return out + ["service gateway is missing"]
    env = _env(gw)
    if not any(str(p).endswith(":4000") for p in gw.get("ports") or []):
        out.append("gateway: does not publish port 4000")
    for var in ("GATEWAY_SUPERGRAPH_PATH", "REDIS_URL", "JWT_PRIVATE_KEY_FILE", "GATEWAY_STATIC_DIR",
                "GATEWAY_PERSISTED_MANIFEST", "GATEWAY_COOKIE_PERSISTED_ONLY"):
        if not env.get(var):
            out.append(f"gateway: environment {var} is not set")
    out.extend(_gateway_spa_problems(gw, env, root))
    for sg, port in SUBGRAPHS.items():
        url = env.get(f"GATEWAY_SUBGRAPH_{sg.upper()}_URL", "")
        if url != f"http://{sg}:{port}/graphql":
            out.append(f"gateway: GATEWAY_SUBGRAPH_{sg.upper()}_URL={url!r}, expected http://{sg}:{port}/graphql")
        if sg not in _depends(gw):
            out.append(f"gateway: does not wait for subgraph {sg}")
        gw_nets = set(gw.get("networks") or [])
        sg_nets = set((services.get(sg) or {}).get("networks") or [])
        if not gw_nets & sg_nets:
            out.append(f"gateway: shares no network with {sg}")
    subgraph_nets = {n for sg in SUBGRAPHS for n in (services.get(sg) or {}).get("networks") or []}
    for name, svc in services.items():
        nets = set(svc.get("networks") or [])
        if name != "gateway" and name not in SUBGRAPHS and "edge" in nets and nets & subgraph_nets:
            out.append(f"{name}: is on the edge network and shares {sorted(nets & subgraph_nets)} with the subgraphs")
    agents = [n for n, s in services.items() if (s.get("build") or {}).get("target") == "render-agent"]
    if len(agents) < 2:
        out.append(f"expected two render agents, found {agents}")
    return out


def _mount_targets(svc: dict[str, Any]) -> list[str]:
    """The container paths of a service's volumes and tmpfs mounts."""
    out = []
    for vol in svc.get("volumes") or []:
        if isinstance(vol, str):
            parts = vol.split(":")
            out.append(parts[1] if len(parts) > 1 else parts[0])
        elif isinstance(vol, dict) and vol.get("target"):
            out.append(vol["target"])
    tmpfs = svc.get("tmpfs") or []
    for t in [tmpfs] if isinstance(tmpfs, str) else tmpfs:
        out.append(str(t).split(":", 1)[0])
    return out


def _gateway_spa_problems(gw: dict[str, Any], env: dict[str, str], root: Path) -> list[str]:
    """The gateway is the Dockerfile's gateway target, and its environment points at the SPA and
    the persisted-operations manifest where that image puts them, with browser sessions
    restricted to the manifest's operations; no mount hides them."""
    build = gw.get("build")
    if not isinstance(build, dict):
        return ["gateway: no build section (the image with the SPA is built from deploy/Dockerfile's gateway target)"]
    if build.get("target") != dockerfile_checks.GATEWAY_TARGET:
        return [f"gateway: built from target {build.get('target')!r}, not {dockerfile_checks.GATEWAY_TARGET!r} (the image with the SPA)"]
    path = root / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
    if not path.is_file():
        return []  # reported by _build_problems
    layout = dockerfile_checks.gateway_layout(path.read_text(), root)
    out = []
    wanted = {dockerfile_checks.STATIC_ENV: (layout.static_dir, "the SPA"),
              dockerfile_checks.MANIFEST_ENV: (layout.manifest, "the persisted-operations manifest")}
    for var, (where, what) in wanted.items():
        if where is None:
            out.append(f"gateway: the image of {path.name} target gateway does not contain {what}")
        elif env.get(var) and env[var] != where:
            out.append(f"gateway: {var}={env[var]!r}, but the image puts {what} at {where}")
        if where is not None:
            for target in _mount_targets(gw):
                if dockerfile_checks.under(where, target):
                    out.append(f"gateway: the mount at {target} hides {what} of the image ({where})")
    flag = env.get(dockerfile_checks.PERSISTED_ONLY_ENV)
    if flag and flag != dockerfile_checks.TRUE:
        out.append(f"gateway: {dockerfile_checks.PERSISTED_ONLY_ENV}={flag!r}, expected {dockerfile_checks.TRUE!r}: "
                   "browser sessions must run only the SPA's persisted operations in production")
    return out


def _events_problems(sg: str, svc: dict[str, Any], env: dict[str, str]) -> list[str]:
    """The relay (inside `serve`) uses its own role, never the owner, and has time to flush."""
    out: list[str] = []
    prefix = sg.upper()
    relay_url = env.get(f"{prefix}_RELAY_DATABASE_URL", "")
    relay_role = f"studiograph_{sg}_relay"
    if relay_url and db_user(relay_url) != relay_role:
        out.append(f"{sg}: {prefix}_RELAY_DATABASE_URL connects as {db_user(relay_url)!r}, expected the relay role {relay_role}")
    if f"{prefix}_MIGRATION_DATABASE_URL" in env:
        out.append(f"{sg}: holds {prefix}_MIGRATION_DATABASE_URL (the owner role); only `{sg} migrate` needs it")
    if env.get("EVENTS_ENABLED", "true").strip().lower() in ("false", "0", "no", "off"):
        out.append(f"{sg}: EVENTS_ENABLED is off: nothing would publish its outbox or consume its queues")
    try:
        flush_ms = int(env.get("EVENTS_SHUTDOWN_FLUSH_MS") or DEFAULT_SHUTDOWN_FLUSH_MS)
    except ValueError:
        return out + [f"{sg}: EVENTS_SHUTDOWN_FLUSH_MS={env['EVENTS_SHUTDOWN_FLUSH_MS']!r} is not milliseconds"]
    need = HTTP_DRAIN_SECS + CONSUMER_FINISH_SECS + flush_ms / 1000
    grace = duration_secs(svc.get("stop_grace_period", "10s"))
    if grace is None:
        out.append(f"{sg}: stop_grace_period {svc.get('stop_grace_period')!r} is not a duration")
    elif grace < need:
        out.append(
            f"{sg}: stop_grace_period {grace:g} s is under HTTP drain {HTTP_DRAIN_SECS} s + consumers "
            f"{CONSUMER_FINISH_SECS} s + EVENTS_SHUTDOWN_FLUSH_MS {flush_ms} ms = {need:g} s"
        )
    return out


def env_example_problems(text: str, env_example: Path) -> list[str]:
    """Every variable the compose file reads is documented in .env.example, and vice versa."""
    documented = set(read_env_file(env_example))
    commented = set(re.findall(r"(?m)^#\s*([A-Z][A-Z0-9_]*)=", env_example.read_text()))
    used = variables(text)
    out = [f".env.example does not document {v}" for v in sorted(used - documented - commented)]
    out += [f".env.example documents {v}, which docker-compose.yml does not read" for v in sorted(documented - used)]
    return out
