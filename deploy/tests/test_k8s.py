"""k8s/: base, dev and prod render, pass the Kubernetes schemas and the platform's rules."""

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from studiograph_deploy import k8s, kustomize_lite

ROOT = Path(__file__).resolve().parents[2]
TREES = ["base", "overlays/dev", "overlays/prod"]
DOCS = (ROOT / "docs" / "operations.md").read_text()


def key(o):
    return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


@pytest.fixture(scope="module", params=TREES)
def rendered(request):
    return request.param, kustomize_lite.build(ROOT / "k8s" / request.param)


def test_renders_and_passes_every_check(rendered):
    tree, objects = rendered
    assert objects, tree
    assert k8s.problems(objects, DOCS) == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with its kustomize) is not installed")
@pytest.mark.parametrize("tree", TREES)
def test_kustomize_lite_renders_what_kustomize_renders(tree):
    out = subprocess.run(["kubectl", "kustomize", str(ROOT / "k8s" / tree)], check=True, capture_output=True, text=True).stdout
    theirs = {key(o): o for o in yaml.safe_load_all(out) if o}
    mine = {key(o): o for o in kustomize_lite.build(ROOT / "k8s" / tree)}
    assert mine.keys() == theirs.keys()
    for k in mine:
        assert mine[k] == theirs[k], k


def test_overlays_are_namespaced_and_pin_images():
    for tree, ns, tag in (("overlays/dev", "studiograph-dev", ":dev"), ("overlays/prod", "studiograph", ":0.1.0")):
        objects = kustomize_lite.build(ROOT / "k8s" / tree)
        for o in objects:
            if o["kind"] != "Namespace":
                assert o["metadata"]["namespace"] == ns, key(o)
            for c in (kustomize_lite.pod_spec(o) or {}).get("containers", []):
                assert c["image"].startswith("registry.example.com/studiograph/") and c["image"].endswith(tag), c["image"]


def test_prod_runs_at_least_two_of_everything():
    for h in (o for o in kustomize_lite.build(ROOT / "k8s/overlays/prod") if o["kind"] == "HorizontalPodAutoscaler"):
        assert h["spec"]["minReplicas"] >= 2, key(h)


# ---- the checker catches what it claims to

@pytest.fixture(scope="module")
def base():
    return kustomize_lite.build(ROOT / "k8s" / "base")


def _find(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def _container(objects, name):
    return kustomize_lite.pod_spec(_find(objects, "Deployment", name))["containers"][0]


def _env_var(objects, name, var):
    return next(e for e in _container(objects, name)["env"] if e["name"] == var)


def _drop_env(objects, name, var):
    c = _container(objects, name)
    c["env"] = [e for e in c["env"] if e["name"] != var]


@pytest.mark.parametrize("mutate, expected", [
    (lambda o: _container(o, "hr").pop("readinessProbe"), "Deployment/hr container hr: no readinessProbe"),
    (lambda o: _container(o, "gateway").pop("livenessProbe"), "Deployment/gateway container gateway: no livenessProbe"),
    (lambda o: _container(o, "render")["resources"].pop("limits"), "Deployment/render container render: no resources.limits.cpu"),
    (lambda o: o.remove(_find(o, "PodDisruptionBudget", "production")), "Deployment/production: selected by 0 PodDisruptionBudgets"),
    (lambda o: o.remove(_find(o, "HorizontalPodAutoscaler", "gateway")), "Deployment/gateway: 0 HorizontalPodAutoscalers"),
    (lambda o: o.remove(_find(o, "Job", "render-migrate")), "subgraph render: 0 migration Jobs"),
    (lambda o: _container(o, "hr").pop("lifecycle"), "Deployment/hr container hr: no lifecycle.preStop"),
    (lambda o: kustomize_lite.pod_spec(_find(o, "Deployment", "hr")).__setitem__("terminationGracePeriodSeconds", 10),
     "leaves under 30 s to drain"),
    (lambda o: _find(o, "NetworkPolicy", "hr-from-gateway")["spec"]["ingress"][0].pop("from"),
     "NetworkPolicy/hr-from-gateway: admits every source to subgraph hr"),
    (lambda o: _find(o, "NetworkPolicy", "production-from-gateway")["spec"]["ingress"][0]["from"][0]["podSelector"].__setitem__("matchLabels", {"app.kubernetes.io/part-of": "studiograph"}),
     "NetworkPolicy/production-from-gateway: admits"),
    (lambda o: [o.remove(p) for p in [_find(o, "NetworkPolicy", "default-deny-ingress"), _find(o, "NetworkPolicy", "render-from-gateway")]],
     "Deployment/render: no NetworkPolicy isolates it"),
    (lambda o: _find(o, "Deployment", "hr")["spec"].__setitem__("replicas", 3), "sets replicas although an HPA owns the count"),
    (lambda o: _container(o, "hr")["ports"][0].__setitem__("containerPort", "http"), "Deployment/hr: schema"),
    (lambda o: _container(o, "hr").__setitem__("livenessprobe", {}), "Deployment/hr: schema"),
    (lambda o: o.remove(_find(o, "ConfigMap", "studiograph-config")), "ConfigMap studiograph-config is not part of the output"),
    # the event machinery: the relay's own role from its Secret key, never the owner, time to flush
    (lambda o: _drop_env(o, "hr", "HR_RELAY_DATABASE_URL"), "Deployment/hr container hr: no HR_RELAY_DATABASE_URL"),
    (lambda o: _env_var(o, "production", "PRODUCTION_RELAY_DATABASE_URL")["valueFrom"]["secretKeyRef"].__setitem__("key", "migration-database-url"),
     "Deployment/production container production: PRODUCTION_RELAY_DATABASE_URL must come from its Secret's relay-database-url key"),
    (lambda o: _env_var(o, "render", "RENDER_RELAY_DATABASE_URL").update(value="postgres://postgres@postgres/studiograph_render") or
     _env_var(o, "render", "RENDER_RELAY_DATABASE_URL").pop("valueFrom"),
     "Deployment/render container render: RENDER_RELAY_DATABASE_URL must come from its Secret's relay-database-url key"),
    (lambda o: _container(o, "hr")["env"].append(
        {"name": "HR_MIGRATION_DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "hr-secrets", "key": "migration-database-url"}}}),
     "Deployment/hr container hr: holds HR_MIGRATION_DATABASE_URL (the owner role)"),
    (lambda o: kustomize_lite.pod_spec(_find(o, "Deployment", "render")).__setitem__("terminationGracePeriodSeconds", 45),
     "Deployment/render container render: terminationGracePeriodSeconds 45 is under preStop 5 s + HTTP drain 30 s"),
    (lambda o: _find(o, "ConfigMap", "studiograph-config")["data"].__setitem__("EVENTS_SHUTDOWN_FLUSH_MS", "30000"),
     "Deployment/production container production: terminationGracePeriodSeconds 60 is under preStop 5 s + HTTP drain 30 s + consumers 5 s + EVENTS_SHUTDOWN_FLUSH_MS 30000 ms"),
    (lambda o: _container(o, "hr")["env"].append({"name": "EVENTS_SHUTDOWN_FLUSH_MS", "value": "soon"}),
     "Deployment/hr container hr: EVENTS_SHUTDOWN_FLUSH_MS='soon' is not a literal number"),
    (lambda o: _container(o, "hr")["env"].append({"name": "EVENTS_ENABLED", "value": "false"}),
     "Deployment/hr container hr: EVENTS_ENABLED is off"),
])
def test_checker_catches(base, mutate, expected):
    objects = copy.deepcopy(base)
    mutate(objects)
    found = k8s.problems(objects, DOCS)
    assert any(expected in p for p in found), found


def test_the_env_var_of_a_container_beats_its_configmap(base):
    objects = copy.deepcopy(base)
    _container(objects, "hr")["env"].append({"name": "EVENTS_SHUTDOWN_FLUSH_MS", "value": "60000"})
    found = k8s.problems(objects, DOCS)
    assert [p for p in found if "EVENTS_SHUTDOWN_FLUSH_MS" in p] == [
        "Deployment/hr container hr: terminationGracePeriodSeconds 60 is under preStop 5 s + HTTP drain 30 s"
        " + consumers 5 s + EVENTS_SHUTDOWN_FLUSH_MS 60000 ms = 100 s"], found


def test_checker_requires_the_relay_key_in_its_secrets_row(base):
    """relay-database-url must be listed in the row of the Secret that holds it, not just anywhere."""
    row = next(line for line in DOCS.splitlines() if line.startswith("| `render-secrets` |"))
    docs = DOCS.replace(row, row.replace("`relay-database-url` (role `studiograph_render_relay`), ", ""))
    assert docs != DOCS and "`relay-database-url`" in docs
    found = k8s.problems(copy.deepcopy(base), docs)
    assert found == ["Deployment/render: Secret key relay-database-url is not documented in the `render-secrets` row of docs/operations.md"], found


def test_checker_catches_a_broken_copy_of_the_tree(tmp_path):
    """A copy of k8s/ whose production Deployment lost its liveness probe fails through the
    whole path: files -> kustomize_lite -> checks, for base and both overlays."""
    tree = tmp_path / "k8s"
    shutil.copytree(ROOT / "k8s", tree)
    path = tree / "base" / "production.yaml"
    docs = list(yaml.safe_load_all(path.read_text()))
    docs[0]["spec"]["template"]["spec"]["containers"][0].pop("livenessProbe")
    path.write_text(yaml.safe_dump_all(docs))
    for sub in TREES:
        found = k8s.problems(kustomize_lite.build(tree / sub), DOCS)
        assert [p for p in found if "no livenessProbe" in p] == ["Deployment/production container production: no livenessProbe"], (sub, found)


def test_kustomize_lite_refuses_what_it_does_not_implement(tmp_path):
    shutil.copytree(ROOT / "k8s", tmp_path / "k8s")
    k = tmp_path / "k8s/overlays/dev/kustomization.yaml"
    k.write_text(k.read_text() + "commonLabels: {team: render}\n")
    with pytest.raises(kustomize_lite.KustomizeError, match="unsupported kustomization fields"):
        kustomize_lite.build(tmp_path / "k8s/overlays/dev")


def test_checker_catches_a_missing_relay_url_in_a_copy_of_the_tree(tmp_path):
    """A copy of k8s/ whose render Deployment lost RENDER_RELAY_DATABASE_URL fails through the
    whole path (files -> kustomize_lite -> checks) for base and both overlays, and only for that."""
    tree = tmp_path / "k8s"
    shutil.copytree(ROOT / "k8s", tree)
    path = tree / "base" / "render.yaml"
    docs = list(yaml.safe_load_all(path.read_text()))
    c = docs[0]["spec"]["template"]["spec"]["containers"][0]
    c["env"] = [e for e in c["env"] if e["name"] != "RENDER_RELAY_DATABASE_URL"]
    path.write_text(yaml.safe_dump_all(docs))
    for sub in TREES:
        found = k8s.problems(kustomize_lite.build(tree / sub), DOCS)
        assert found == ["Deployment/render container render: no RENDER_RELAY_DATABASE_URL "
                         "(the outbox relay would fall back to another role)"], (sub, found)
