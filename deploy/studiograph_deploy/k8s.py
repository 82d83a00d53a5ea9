"""Checks of rendered Kubernetes objects: `problems(objects, docs_text)` returns what is wrong.

Schema validation uses `kubernetes-validate` (PyPI; the Kubernetes OpenAPI schemas bundled,
strict: unknown fields are errors) against KUBERNETES_VERSION.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import dockerfile
from .kustomize_lite import pod_spec

ROOT = Path(__file__).resolve().parents[2]

KUBERNETES_VERSION = "1.32.0"
SUBGRAPHS = {"hr": 4001, "production": 4002, "render": 4003}
SCALED = ("gateway", *SUBGRAPHS)
# The subgraphs' SIGTERM order (docs/operations.md, "Events"): preStop, HTTP drain
# (budget), the consumers' message in hand (budget), then the relay's flush
# (EVENTS_SHUTDOWN_FLUSH_MS, default 10 s).
HTTP_DRAIN_SECS = 30
CONSUMER_FINISH_SECS = 5
DEFAULT_SHUTDOWN_FLUSH_MS = 10_000


def schema_problems(objects: list[dict[str, Any]]) -> list[str]:
    import kubernetes_validate  # imported late: the venv provides it

    out = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            out.append(f"{_name(obj)}: schema: {e.message} at {'/'.join(map(str, e.path))}")
        except kubernetes_validate.SchemaNotFoundError as e:
            out.append(f"{_name(obj)}: no schema for it in Kubernetes {KUBERNETES_VERSION}: {e}")
    return out


def _name(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def _of(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o.get("kind") == kind]


def _ns(obj: dict[str, Any]) -> str:
    return obj.get("metadata", {}).get("namespace", "")


def _selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels + matchExpressions In/NotIn/Exists/DoesNotExist) against labels."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    return obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {}) or {}


def problems(objects: list[dict[str, Any]], docs_text: str,
             layout: dockerfile.GatewayLayout | None = None) -> list[str]:
    """Everything wrong with rendered objects; `layout` is where the gateway image holds the SPA
    and its manifest (default: deploy/Dockerfile's gateway target)."""
    if layout is None:
        layout = dockerfile.gateway_layout((ROOT / "deploy" / "Dockerfile").read_text(), ROOT)
    out = schema_problems(objects)
    deployments = _of(objects, "Deployment")
    names = {d["metadata"]["name"] for d in deployments}
    for want in SCALED:
        if want not in names:
            out.append(f"Deployment/{want} is missing")
    for d in deployments:
        out.extend(_deployment_problems(d, objects))
    out.extend(_hpa_problems(objects))
    out.extend(_events_problems(objects))
    out.extend(_migration_problems(objects))
    out.extend(_network_problems(objects))
    out.extend(_reference_problems(objects, docs_text))
    out.extend(_gateway_spa_problems(objects, layout))
    return out


def _gateway_spa_problems(objects: list[dict[str, Any]], layout: dockerfile.GatewayLayout) -> list[str]:
    """The gateway container points at the SPA and the manifest where its image puts them (set
    explicitly, so the rendered manifests say what runs), browser sessions are persisted-only,
    and no volume mount hides either."""
    out = []
    for d in _of(objects, "Deployment"):
        if d["metadata"]["name"] != "gateway":
            continue
        for c in (pod_spec(d) or {}).get("containers", [])[:1]:
            cw = f"{_name(d)} container {c.get('name')}"
            env = container_env(c, objects, _ns(d))
            wanted = {dockerfile.STATIC_ENV: (layout.static_dir, "the SPA"),
                      dockerfile.MANIFEST_ENV: (layout.manifest, "the persisted-operations manifest")}
            for var, (where, what) in wanted.items():
                if where is None:
                    out.append(f"{cw}: its image (deploy/Dockerfile target gateway) does not contain {what}")
                    continue
                if var not in env:
                    out.append(f"{cw}: no {var} (the image puts {what} at {where})")
                elif env[var] != where:
                    out.append(f"{cw}: {var}={env[var]!r}, but the image puts {what} at {where}")
                for m in c.get("volumeMounts", []):
                    if dockerfile.under(where, m.get("mountPath", "")):
                        out.append(f"{cw}: the volume mounted at {m['mountPath']} hides {what} of the image ({where})")
            flag = env.get(dockerfile.PERSISTED_ONLY_ENV)
            if flag != dockerfile.TRUE:
                out.append(f"{cw}: {dockerfile.PERSISTED_ONLY_ENV} must be \"true\" (browser sessions run only the SPA's "
                           f"persisted operations), got {flag!r}")
    return out


def _deployment_problems(d: dict[str, Any], objects: list[dict[str, Any]]) -> list[str]:
    where = _name(d)
    out = []
    spec = pod_spec(d) or {}
    labels = _pod_labels(d)
    if not _selects(d["spec"].get("selector"), labels):
        out.append(f"{where}: its selector does not select its own pod template")
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is None:
        out.append(f"{where}: no terminationGracePeriodSeconds")
    sc = spec.get("securityContext") or {}
    if not sc.get("runAsNonRoot"):
        out.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    for c in spec.get("containers", []):
        cw = f"{where} container {c.get('name')}"
        for probe in ("readinessProbe", "livenessProbe"):
            if not c.get(probe):
                out.append(f"{cw}: no {probe}")
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if not (res.get(part) or {}).get(r):
                    out.append(f"{cw}: no resources.{part}.{r}")
        pre = ((c.get("lifecycle") or {}).get("preStop")) or {}
        if not pre:
            out.append(f"{cw}: no lifecycle.preStop (endpoints must drop the pod before SIGTERM)")
        sleep = pre.get("sleep", {}).get("seconds")
        cmd = (pre.get("exec") or {}).get("command") or []
        if sleep is None and len(cmd) == 2 and cmd[0] == "sleep":
            sleep = int(cmd[1])
        if grace is not None and sleep is not None and grace < sleep + 30:
            out.append(f"{cw}: terminationGracePeriodSeconds {grace} leaves under 30 s to drain after preStop {sleep} s")
        csc = c.get("securityContext") or {}
        if csc.get("allowPrivilegeEscalation") is not False or not csc.get("readOnlyRootFilesystem"):
            out.append(f"{cw}: needs allowPrivilegeEscalation: false and readOnlyRootFilesystem: true")
    pdbs = [p for p in _of(objects, "PodDisruptionBudget") if _ns(p) == _ns(d) and _selects(p["spec"].get("selector"), labels)]
    if len(pdbs) != 1:
        out.append(f"{where}: selected by {len(pdbs)} PodDisruptionBudgets, expected exactly 1")
    for p in pdbs:
        if p["spec"].get("minAvailable") in (None,) and p["spec"].get("maxUnavailable") in (None, 0, "0%"):
            out.append(f"{_name(p)}: allows no voluntary disruption (node drains would hang)")
    services = [s for s in _of(objects, "Service") if _ns(s) == _ns(d) and s["spec"].get("selector")
                and all(labels.get(k) == v for k, v in s["spec"]["selector"].items())]
    if not services:
        out.append(f"{where}: no Service selects it")
    return out


def _hpa_problems(objects: list[dict[str, Any]]) -> list[str]:
    out = []
    hpas = _of(objects, "HorizontalPodAutoscaler")
    for want in SCALED:
        mine = [h for h in hpas if h["spec"]["scaleTargetRef"].get("kind") == "Deployment"
                and h["spec"]["scaleTargetRef"].get("name") == want]
        if len(mine) != 1:
            out.append(f"Deployment/{want}: {len(mine)} HorizontalPodAutoscalers, expected 1")
        for h in mine:
            if h["spec"].get("minReplicas", 1) > h["spec"]["maxReplicas"]:
                out.append(f"{_name(h)}: minReplicas > maxReplicas")
    targets = {d["metadata"]["name"] for d in _of(objects, "Deployment")}
    for h in hpas:
        if h["spec"]["scaleTargetRef"].get("name") not in targets:
            out.append(f"{_name(h)}: scales a Deployment that does not exist")
    for d in _of(objects, "Deployment"):
        if d["metadata"]["name"] in SCALED and "replicas" in d["spec"]:
            out.append(f"{_name(d)}: sets replicas although an HPA owns the count (apply would fight it)")
    return out


def _prestop_secs(c: dict[str, Any]) -> int:
    pre = ((c.get("lifecycle") or {}).get("preStop")) or {}
    sleep = pre.get("sleep", {}).get("seconds")
    cmd = (pre.get("exec") or {}).get("command") or []
    if sleep is None and len(cmd) == 2 and cmd[0] == "sleep":
        sleep = int(cmd[1])
    return int(sleep or 0)


def container_env(c: dict[str, Any], objects: list[dict[str, Any]], ns: str) -> dict[str, Any]:
    """A container's environment as Kubernetes assembles it: envFrom ConfigMaps (in order), then
    `env`, which wins. Literal values are strings; references stay as their `valueFrom`."""
    configmaps = {c["metadata"]["name"]: c.get("data") or {} for c in _of(objects, "ConfigMap") if _ns(c) == ns}
    env: dict[str, Any] = {}
    for ef in c.get("envFrom", []):
        if "configMapRef" in ef:
            prefix = ef.get("prefix", "")
            env.update({prefix + k: v for k, v in configmaps.get(ef["configMapRef"]["name"], {}).items()})
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        elif "valueFrom" in e:
            vf = e["valueFrom"]
            ref = vf.get("configMapKeyRef")
            if ref and ref.get("key") in configmaps.get(ref.get("name"), {}):
                env[e["name"]] = configmaps[ref["name"]][ref["key"]]
            else:
                env[e["name"]] = vf
        else:
            env[e["name"]] = ""
    return env


def _events_problems(objects: list[dict[str, Any]]) -> list[str]:
    """Each subgraph's `serve` runs its outbox relay as the relay role (Secret key
    relay-database-url, never the owner) and has the time to flush it after the HTTP drain."""
    out = []
    for d in _of(objects, "Deployment"):
        sg = d["metadata"]["name"]
        if sg not in SUBGRAPHS:
            continue
        spec = pod_spec(d) or {}
        prefix = sg.upper()
        for c in spec.get("containers", [])[:1]:
            cw = f"{_name(d)} container {c.get('name')}"
            env = container_env(c, objects, _ns(d))
            relay = env.get(f"{prefix}_RELAY_DATABASE_URL")
            ref = relay.get("secretKeyRef") if isinstance(relay, dict) else None
            if relay is None:
                out.append(f"{cw}: no {prefix}_RELAY_DATABASE_URL (the outbox relay would fall back to another role)")
            elif not ref or ref.get("key") != "relay-database-url":
                out.append(f"{cw}: {prefix}_RELAY_DATABASE_URL must come from its Secret's relay-database-url key, got {relay!r}")
            if f"{prefix}_MIGRATION_DATABASE_URL" in env:
                out.append(f"{cw}: holds {prefix}_MIGRATION_DATABASE_URL (the owner role); only the migration Job needs it")
            if str(env.get("EVENTS_ENABLED", "true")).strip().lower() in ("false", "0", "no", "off"):
                out.append(f"{cw}: EVENTS_ENABLED is off: nothing would publish its outbox or consume its queues")
            raw = env.get("EVENTS_SHUTDOWN_FLUSH_MS", DEFAULT_SHUTDOWN_FLUSH_MS)
            try:
                flush_ms = int(raw)
            except (TypeError, ValueError):
                out.append(f"{cw}: EVENTS_SHUTDOWN_FLUSH_MS={raw!r} is not a literal number of milliseconds")
                continue
            grace = spec.get("terminationGracePeriodSeconds", 30)
            need = _prestop_secs(c) + HTTP_DRAIN_SECS + CONSUMER_FINISH_SECS + flush_ms / 1000
            if grace < need:
                out.append(
                    f"{cw}: terminationGracePeriodSeconds {grace} is under preStop {_prestop_secs(c)} s + HTTP drain "
                    f"{HTTP_DRAIN_SECS} s + consumers {CONSUMER_FINISH_SECS} s + EVENTS_SHUTDOWN_FLUSH_MS {flush_ms} ms"
                    f" = {need:g} s"
                )
    return out


def _migration_problems(objects: list[dict[str, Any]]) -> list[str]:
    out = []
    deployments = {d["metadata"]["name"]: d for d in _of(objects, "Deployment")}
    for sg in SUBGRAPHS:
        image = None
        if sg in deployments:
            image = (pod_spec(deployments[sg]) or {}).get("containers", [{}])[0].get("image")
        jobs = []
        for j in _of(objects, "Job"):
            spec = pod_spec(j) or {}
            for c in spec.get("containers", []):
                if c.get("args") == ["migrate"] and c.get("image") == image:
                    jobs.append((j, c))
        if len(jobs) != 1:
            out.append(f"subgraph {sg}: {len(jobs)} migration Jobs running `{sg} migrate` with its image, expected 1")
        for j, c in jobs:
            env = {e["name"] for e in c.get("env", [])}
            if f"{sg.upper()}_MIGRATION_DATABASE_URL" not in env:
                out.append(f"{_name(j)}: no {sg.upper()}_MIGRATION_DATABASE_URL (the owner role runs migrations)")
            if (pod_spec(j) or {}).get("restartPolicy") not in ("Never", "OnFailure"):
                out.append(f"{_name(j)}: restartPolicy must be Never or OnFailure")
    return out


def _network_problems(objects: list[dict[str, Any]]) -> list[str]:
    """Only gateway pods may reach subgraph pods; the gateway itself must be reachable."""
    out = []
    policies = _of(objects, "NetworkPolicy")
    deployments = {d["metadata"]["name"]: d for d in _of(objects, "Deployment")}
    gateway_labels = _pod_labels(deployments.get("gateway", {}))

    def ingress_policies(d: dict[str, Any]) -> list[dict[str, Any]]:
        labels = _pod_labels(d)
        return [p for p in policies if _ns(p) == _ns(d)
                and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])
                and _selects(p["spec"].get("podSelector"), labels)]

    for sg in SUBGRAPHS:
        d = deployments.get(sg)
        if d is None:
            continue
        selecting = ingress_policies(d)
        if not selecting:
            out.append(f"Deployment/{sg}: no NetworkPolicy isolates it: every pod can reach it")
        for p in selecting:
            for rule in p["spec"].get("ingress") or []:
                peers = rule.get("from")
                if not peers:
                    out.append(f"{_name(p)}: admits every source to subgraph {sg}")
                    continue
                for peer in peers:
                    if set(peer) != {"podSelector"} or not gateway_labels or not _only_gateway(peer["podSelector"], objects, gateway_labels):
                        out.append(f"{_name(p)}: admits {peer} to subgraph {sg}; only gateway pods may")
        allowed = [r for p in selecting for r in p["spec"].get("ingress") or []]
        if selecting and not allowed:
            out.append(f"Deployment/{sg}: NetworkPolicies admit nothing, not even the gateway")
    gw = deployments.get("gateway")
    if gw is not None:
        selecting = ingress_policies(gw)
        if selecting and not any(p["spec"].get("ingress") for p in selecting):
            out.append("Deployment/gateway: NetworkPolicies admit no traffic to the gateway")
    return out


def _only_gateway(selector: dict[str, Any], objects: list[dict[str, Any]], gateway_labels: dict[str, str]) -> bool:
    """The selector matches gateway pods and no other pod template of the output."""
    if not _selects(selector, gateway_labels) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return False
    for o in objects:
        spec = pod_spec(o)
        if spec is None:
            continue
        labels = (o["spec"]["template"]["metadata"].get("labels") or {}) if "template" in o.get("spec", {}) else {}
        if labels != gateway_labels and _selects(selector, labels):
            return False
    return True


def _secret_row(docs_text: str, secret: str) -> str | None:
    """The line of the Secrets table in docs/operations.md that lists `secret`, if any."""
    for line in docs_text.splitlines():
        if line.startswith(f"| `{secret}` |"):
            return line
    return None


def _reference_problems(objects: list[dict[str, Any]], docs_text: str) -> list[str]:
    """ConfigMaps referenced exist in the output; Secrets (external) are documented."""
    out = []
    configmaps = {(_ns(c), c["metadata"]["name"]) for c in _of(objects, "ConfigMap")}
    for o in objects:
        spec = pod_spec(o)
        if spec is None:
            continue
        secrets, cms = set(), set()
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            for ef in c.get("envFrom", []):
                if "configMapRef" in ef:
                    cms.add(ef["configMapRef"]["name"])
                if "secretRef" in ef:
                    secrets.add(ef["secretRef"]["name"])
            for e in c.get("env", []):
                vf = e.get("valueFrom") or {}
                if "configMapKeyRef" in vf:
                    cms.add(vf["configMapKeyRef"]["name"])
                if "secretKeyRef" in vf:
                    secret, skey = vf["secretKeyRef"]["name"], vf["secretKeyRef"]["key"]
                    secrets.add(secret)
                    row = _secret_row(docs_text, secret)
                    if f"`{skey}`" not in (row if row is not None else docs_text):
                        where = f"the `{secret}` row of" if row is not None else ""
                        out.append(f"{_name(o)}: Secret key {skey} is not documented in {where} docs/operations.md".replace("  ", " "))
        for v in spec.get("volumes", []):
            if "configMap" in v:
                cms.add(v["configMap"]["name"])
            if "secret" in v:
                secrets.add(v["secret"]["secretName"])
        for cm in sorted(cms):
            if (_ns(o), cm) not in configmaps:
                out.append(f"{_name(o)}: ConfigMap {cm} is not part of the output")
        for s in sorted(secrets):
            if f"`{s}`" not in docs_text:
                out.append(f"{_name(o)}: Secret {s} is created outside kustomize but not documented in docs/operations.md")
    return out
