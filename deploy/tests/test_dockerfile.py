"""deploy/Dockerfile's SPA: the `spa` stage builds frontend/ as its own build does, the gateway
image ships dist/ and the persisted-operations manifest, its environment (and compose's and
k8s's) points at them, and .dockerignore keeps the context to the sources. Static: no Docker
engine here, so each rule is also run against broken copies to show it catches what it claims."""

import copy
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from studiograph_deploy import compose, dockerfile, k8s, kustomize_lite

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
TEXT = DOCKERFILE.read_text()
DOCKERIGNORE = (ROOT / ".dockerignore").read_text()
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCS = (ROOT / "docs" / "operations.md").read_text()
TREES = ["base", "overlays/dev", "overlays/prod"]

SPA_COPY = "COPY --from=spa /src/frontend/dist /app/static\n"
MANIFEST_COPY = "COPY --from=spa /src/frontend/build/persisted-operations.json /app/persisted-operations.json\n"


@pytest.fixture(scope="module")
def tracked():
    return subprocess.run(["git", "-C", str(ROOT), "ls-files"], check=True, capture_output=True, text=True).stdout.split()


def _replace(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _spa_stage(text):
    start = text.index("FROM node:")
    return text[start:text.index("\n# ----", start) + 1]


def test_the_gateway_image_ships_the_spa_and_its_manifest():
    assert dockerfile.spa_problems(TEXT, ROOT) == []
    layout = dockerfile.gateway_layout(TEXT, ROOT)
    assert (layout.static_dir, layout.manifest) == ("/app/static", "/app/persisted-operations.json")
    assert layout.env["GATEWAY_STATIC_DIR"] == "/app/static"
    assert layout.env["GATEWAY_PERSISTED_MANIFEST"] == "/app/persisted-operations.json"
    assert layout.env["GATEWAY_COOKIE_PERSISTED_ONLY"] == "true"
    assert layout.env["STUDIOGRAPH_MODE"] == "production"  # inherited from the runtime stage


def test_the_frontend_build_is_read_from_the_frontend():
    fb, found = dockerfile.frontend_build(ROOT)
    assert found == []
    assert (fb.schema, fb.dist, fb.manifest) == ("../schema/api.graphql", "dist", "build/persisted-operations.json")
    assert fb.node_major == 20


def test_dockerignore_keeps_sources_in_and_output_out(tracked):
    assert dockerfile.dockerignore_problems(TEXT, DOCKERIGNORE, tracked, ROOT) == []


def test_dockerignore_matching_follows_docker():
    patterns = dockerfile.ignore_patterns("target\n**/node_modules\n.env.*\n!.env.example\nfrontend/dist\n*.md\n")
    assert dockerfile.ignored("target/release/gateway", patterns)
    assert dockerfile.ignored("frontend/node_modules/react/index.js", patterns)
    assert dockerfile.ignored("node_modules/x", patterns)
    assert dockerfile.ignored(".env.local", patterns)
    assert not dockerfile.ignored(".env.example", patterns)
    assert dockerfile.ignored("frontend/dist/assets/app.js", patterns)
    assert dockerfile.ignored("README.md", patterns)
    assert not dockerfile.ignored("frontend/README.md", patterns)  # `*` does not cross `/`
    assert not dockerfile.ignored("frontend/distribution.ts", patterns)


def test_parser_joins_lines_substitutes_args_and_resolves_copies():
    text = (
        "# syntax=docker/dockerfile:1.7\nARG V=20\nFROM node:${V}-bookworm-slim AS a\n"
        "WORKDIR /w/x\n# a comment\nCOPY frontend/package.json \\\n     frontend/package-lock.json ./\n"
        'COPY ["schema/api.graphql", "/w/schema/"]\nFROM a AS b\nENV A=1 \\\n    B="two words"\n'
    )
    stages = dockerfile.parse(text)
    assert [(s.name, s.base) for s in stages] == [("a", "node:20-bookworm-slim"), ("b", "a")]
    a = stages[0]
    assert dockerfile.copied_to(a, "frontend/package-lock.json", ROOT) == "/w/x/package-lock.json"
    assert dockerfile.copied_to(a, "schema/api.graphql", ROOT) == "/w/schema/api.graphql"
    assert dockerfile.copied_to(a, "schema/hr.graphql", ROOT) is None
    assert dockerfile.image_env(stages, "b") == {"A": "1", "B": "two words"}
    assert [s.name for s in dockerfile.chain(stages, "b")] == ["a", "b"]


# ---- the checker catches what it claims to (each case breaks one copy of the real Dockerfile)

BROKEN = [
    ("no spa stage", lambda t: _replace(t, _spa_stage(t), ""),
     "Dockerfile: no `spa` stage (the gateway image would have no SPA)"),
    ("the SPA copied elsewhere", lambda t: _replace(t, SPA_COPY, "COPY --from=spa /src/frontend/dist /app/public\n"),
     "Dockerfile target gateway: GATEWAY_STATIC_DIR='/app/static', but the SPA is copied to /app/public"),
    ("the SPA not copied", lambda t: _replace(t, SPA_COPY, ""),
     "Dockerfile target gateway: does not COPY --from=spa /src/frontend/dist (the built SPA)"),
    ("dist copied from the wrong directory", lambda t: _replace(t, SPA_COPY, "COPY --from=spa /src/dist /app/static\n"),
     "Dockerfile target gateway: does not COPY --from=spa /src/frontend/dist (the built SPA)"),
    ("the manifest not copied", lambda t: _replace(t, MANIFEST_COPY, ""),
     "Dockerfile target gateway: does not COPY --from=spa /src/frontend/build/persisted-operations.json"),
    ("the manifest env elsewhere", lambda t: _replace(t, "GATEWAY_PERSISTED_MANIFEST=/app/persisted-operations.json",
                                                       "GATEWAY_PERSISTED_MANIFEST=/app/manifest.json"),
     "Dockerfile target gateway: GATEWAY_PERSISTED_MANIFEST='/app/manifest.json', but the manifest is copied to "
     "/app/persisted-operations.json"),
    ("the manifest served", lambda t: _replace(_replace(
        t, MANIFEST_COPY, MANIFEST_COPY.replace(" /app/persisted-operations.json", " /app/static/")),
        "GATEWAY_PERSISTED_MANIFEST=/app/persisted-operations.json",
        "GATEWAY_PERSISTED_MANIFEST=/app/static/persisted-operations.json"),
     "Dockerfile target gateway: the manifest /app/static/persisted-operations.json is inside GATEWAY_STATIC_DIR"),
    ("persisted-only off", lambda t: _replace(t, "GATEWAY_COOKIE_PERSISTED_ONLY=true", "GATEWAY_COOKIE_PERSISTED_ONLY=false"),
     "Dockerfile target gateway: GATEWAY_COOKIE_PERSISTED_ONLY='false' in the image, expected 'true'"),
    ("persisted-only as 1 (the gateway would not start)",
     lambda t: _replace(t, "GATEWAY_COOKIE_PERSISTED_ONLY=true", "GATEWAY_COOKIE_PERSISTED_ONLY=1"),
     "GATEWAY_COOKIE_PERSISTED_ONLY='1' in the image, expected 'true'"),
    ("schema where codegen does not look", lambda t: _replace(
        t, "COPY schema/api.graphql /src/schema/api.graphql", "COPY schema/api.graphql /schema/api.graphql"),
     "Dockerfile stage spa: graphql-codegen reads ../schema/api.graphql from /src/frontend, i.e. "
     "/src/schema/api.graphql, but the stage copies schema/api.graphql to /schema/api.graphql"),
    ("schema not copied", lambda t: _replace(t, "COPY schema/api.graphql /src/schema/api.graphql\n", ""),
     "but the stage copies schema/api.graphql to None"),
    ("schema copied last, still before the build", lambda t: _replace(_replace(
        t, "COPY schema/api.graphql /src/schema/api.graphql\n", ""),
        "RUN npm run build", "COPY schema/api.graphql /src/schema/api.graphql\nRUN npm run build"),
     None),  # still fine: it is copied before the build runs (a control case)
    ("sources elsewhere", lambda t: _replace(t, "COPY frontend/ ./", "COPY frontend/ /src/app/"),
     "Dockerfile stage spa: frontend/codegen.ts is not at /src/frontend/codegen.ts when `npm run build` runs"),
    ("npm install", lambda t: _replace(t, "npm ci --no-audit", "npm install --no-audit"),
     "Dockerfile stage spa: `npm install` may resolve other versions than frontend/package-lock.json"),
    ("no lockfile", lambda t: _replace(t, "COPY frontend/package.json frontend/package-lock.json ./",
                                       "COPY frontend/package.json ./"),
     "Dockerfile stage spa: frontend/package-lock.json is not in /src/frontend when `npm ci` runs"),
    ("no build", lambda t: _replace(t, "RUN npm run build \\\n && test", "RUN test"),
     "Dockerfile stage spa: no `npm run build`"),
    ("Node too old", lambda t: _replace(t, "ARG NODE_VERSION=20", "ARG NODE_VERSION=18"),
     "Dockerfile stage spa: Node 18 is older than frontend/package.json's engines.node"),
    ("another base", lambda t: _replace(t, "FROM node:${NODE_VERSION}-bookworm-slim AS spa", "FROM node:20-alpine AS spa"),
     "Dockerfile stage spa: FROM node:20-alpine, expected node:<version>-bookworm-slim"),
    ("node_modules in the image", lambda t: _replace(t, MANIFEST_COPY, MANIFEST_COPY + "COPY --from=spa /src/frontend/node_modules /app/node_modules\n"),
     "Dockerfile target gateway: copies /src/frontend/node_modules from spa; only dist/ and the manifest belong in it"),
    ("the SPA in a subgraph image", lambda t: _replace(
        t, "COPY --from=builder /out/hr /usr/local/bin/hr\n",
        "COPY --from=builder /out/hr /usr/local/bin/hr\nCOPY --from=spa /src/frontend/dist /app/static\n"),
     "Dockerfile target hr: copies ['/src/frontend/dist'] from spa; only the gateway serves the SPA"),
    ("the gateway built on Node", lambda t: _replace(t, "FROM runtime AS gateway", "FROM spa AS gateway"),
     "Dockerfile target gateway: built on node:20-bookworm-slim / the spa stage (Node in a runtime image)"),
]


@pytest.mark.parametrize("mutate, expected", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_checker_catches_a_broken_dockerfile(mutate, expected):
    found = dockerfile.spa_problems(mutate(TEXT), ROOT)
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found


@pytest.mark.parametrize("mutate, expected", [
    (lambda t: _replace(t, "frontend/dist\n", ""), ".dockerignore: frontend/dist/index.html would be sent to the build context"),
    (lambda t: _replace(t, "frontend/build\n", ""),
     ".dockerignore: frontend/build/persisted-operations.json would be sent to the build context"),
    (lambda t: _replace(t, "**/test-results\n", ""),
     ".dockerignore: frontend/test-results/review-approves.png would be sent to the build context"),
    (lambda t: _replace(t, "**/node_modules\n", ""), ".dockerignore: frontend/node_modules/react/package.json would be sent"),
    (lambda t: t + "schema\n", ".dockerignore: schema/api.graphql is excluded, but Dockerfile line"),
    (lambda t: t + "**/*.json\n", ".dockerignore: frontend/package-lock.json is excluded, but Dockerfile line"),
    (lambda t: t + "frontend/scripts\n", ".dockerignore: frontend/scripts/persisted.mjs is excluded, but Dockerfile line"),
])
def test_checker_catches_a_broken_dockerignore(tracked, mutate, expected):
    found = dockerfile.dockerignore_problems(TEXT, mutate(DOCKERIGNORE), tracked, ROOT)
    assert any(expected in p for p in found), found


def test_checker_catches_a_copy_of_a_missing_file(tracked):
    text = _replace(TEXT, "COPY schema/api.graphql /src/schema/api.graphql", "COPY schema/client.graphql /src/schema/client.graphql")
    found = dockerfile.dockerignore_problems(text, DOCKERIGNORE, tracked, ROOT)
    assert any("COPY schema/client.graphql: no such file in the repository" in p for p in found), found


# ---- the frontend moves: the checks follow it (copies of its build files in a scratch root)

def _scratch_root(tmp_path, edit):
    """A repository root whose frontend build files are copies (edited by `edit`) and whose
    everything else links to the real tree."""
    root = tmp_path / "repo"
    (root / "frontend" / "scripts").mkdir(parents=True)
    for f in ("codegen.ts", "vite.config.ts", "package.json", "scripts/persisted.mjs", "index.html", "tsconfig.json"):
        shutil.copy(ROOT / "frontend" / f, root / "frontend" / f)
    for child in ROOT.iterdir():
        if child.name not in ("frontend", ".git"):
            (root / child.name).symlink_to(child)
    edit(root)
    return root


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("edit, expected", [
    (lambda r: _edit(r / "frontend/codegen.ts", "'../schema/api.graphql'", "'../schema/client.graphql'"),
     "graphql-codegen reads ../schema/client.graphql from /src/frontend, i.e. /src/schema/client.graphql, but the "
     "stage copies schema/client.graphql to None"),
    (lambda r: _edit(r / "frontend/vite.config.ts", "sourcemap: false,", "sourcemap: false,\n    outDir: 'public',"),
     "Dockerfile target gateway: does not COPY --from=spa /src/frontend/public (the built SPA)"),
    (lambda r: _edit(r / "frontend/package.json", '"node": ">=20.19"', '"node": ">=22.12"'),
     "Dockerfile stage spa: Node 20 is older than frontend/package.json's engines.node"),
    (lambda r: _edit(r / "frontend/scripts/persisted.mjs", "'build/persisted-operations.json'", "'build/manifest.json'"),
     "frontend/scripts/persisted.mjs does not write build/persisted-operations.json"),
])
def test_checker_follows_the_frontend_build(tmp_path, edit, expected):
    root = _scratch_root(tmp_path, edit)
    found = dockerfile.spa_problems(TEXT, root)
    assert any(expected in p for p in found), found


# ---- compose and k8s point the gateway where its image puts the SPA and the manifest

@pytest.fixture(scope="module")
def doc():
    return compose.load(COMPOSE, compose.read_env_file(ENV_EXAMPLE))


@pytest.mark.parametrize("mutate, expected", [
    (lambda g: g["environment"].__setitem__("GATEWAY_STATIC_DIR", "/app/public"),
     "gateway: GATEWAY_STATIC_DIR='/app/public', but the image puts the SPA at /app/static"),
    (lambda g: g["environment"].__setitem__("GATEWAY_PERSISTED_MANIFEST", "/app/static/persisted-operations.json"),
     "gateway: GATEWAY_PERSISTED_MANIFEST='/app/static/persisted-operations.json', but the image puts the "
     "persisted-operations manifest at /app/persisted-operations.json"),
    (lambda g: g["environment"].pop("GATEWAY_PERSISTED_MANIFEST"), "gateway: environment GATEWAY_PERSISTED_MANIFEST is not set"),
    (lambda g: g["environment"].pop("GATEWAY_COOKIE_PERSISTED_ONLY"),
     "gateway: environment GATEWAY_COOKIE_PERSISTED_ONLY is not set"),
    (lambda g: g["environment"].__setitem__("GATEWAY_COOKIE_PERSISTED_ONLY", "false"),
     "gateway: GATEWAY_COOKIE_PERSISTED_ONLY='false', expected 'true'"),
    (lambda g: g["environment"].__setitem__("GATEWAY_COOKIE_PERSISTED_ONLY", "True"),
     "gateway: GATEWAY_COOKIE_PERSISTED_ONLY='True', expected 'true'"),
    (lambda g: g["volumes"].append("spa:/app/static:ro"), "gateway: the mount at /app/static hides the SPA of the image"),
    (lambda g: g["tmpfs"].append("/app"), "gateway: the mount at /app hides the persisted-operations manifest"),
    (lambda g: g["build"].__setitem__("target", "hr"), "gateway: built from target 'hr', not 'gateway'"),
])
def test_compose_checker_catches(doc, mutate, expected):
    d = copy.deepcopy(doc)
    mutate(d["services"]["gateway"])
    found = compose.problems(d, ROOT)
    assert any(expected in p for p in found), found


@pytest.fixture(scope="module")
def base():
    return kustomize_lite.build(ROOT / "k8s" / "base")


def _gateway(objects):
    d = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "gateway")
    return kustomize_lite.pod_spec(d)["containers"][0]


def _set_env(objects, name, value):
    c = _gateway(objects)
    c["env"] = [e for e in c["env"] if e["name"] != name] + ([{"name": name, "value": value}] if value is not None else [])


@pytest.mark.parametrize("mutate, expected", [
    (lambda o: _set_env(o, "GATEWAY_STATIC_DIR", "/srv/spa"),
     "Deployment/gateway container gateway: GATEWAY_STATIC_DIR='/srv/spa', but the image puts the SPA at /app/static"),
    (lambda o: _set_env(o, "GATEWAY_PERSISTED_MANIFEST", None),
     "Deployment/gateway container gateway: no GATEWAY_PERSISTED_MANIFEST (the image puts the persisted-operations "
     "manifest at /app/persisted-operations.json)"),
    (lambda o: _set_env(o, "GATEWAY_COOKIE_PERSISTED_ONLY", None),
     'Deployment/gateway container gateway: GATEWAY_COOKIE_PERSISTED_ONLY must be "true"'),
    (lambda o: _set_env(o, "GATEWAY_COOKIE_PERSISTED_ONLY", "false"),
     'Deployment/gateway container gateway: GATEWAY_COOKIE_PERSISTED_ONLY must be "true"'),
    (lambda o: _gateway(o)["volumeMounts"].append({"name": "tmp", "mountPath": "/app/static"}),
     "Deployment/gateway container gateway: the volume mounted at /app/static hides the SPA of the image"),
    (lambda o: next(x for x in o if x["kind"] == "ConfigMap")["data"].__setitem__("GATEWAY_STATIC_DIR", "/srv")
     or _set_env(o, "GATEWAY_STATIC_DIR", None),
     "Deployment/gateway container gateway: GATEWAY_STATIC_DIR='/srv', but the image puts the SPA at /app/static"),
])
def test_k8s_checker_catches(base, mutate, expected):
    objects = copy.deepcopy(base)
    mutate(objects)
    found = k8s.problems(objects, DOCS)
    assert any(expected in p for p in found), found


# ---- broken Dockerfiles on disk, through the whole path: file -> compose / k8s checks

def _root_with_dockerfile(tmp_path, text):
    """A repository root that is the real one but for deploy/Dockerfile."""
    root = tmp_path / "repo"
    root.mkdir()
    for child in ROOT.iterdir():
        if child.name not in ("deploy", ".git"):
            (root / child.name).symlink_to(child)
    shutil.copytree(ROOT / "deploy", root / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "deploy" / "Dockerfile").write_text(text)
    return root


def test_a_dockerfile_without_the_spa_stage_fails_compose_and_k8s(tmp_path):
    root = _root_with_dockerfile(tmp_path, _replace(TEXT, _spa_stage(TEXT), ""))
    text = (root / "deploy" / "Dockerfile").read_text()
    assert "Dockerfile: no `spa` stage (the gateway image would have no SPA)" in dockerfile.spa_problems(text, root)
    for env in (compose.read_env_file(ENV_EXAMPLE), {}):
        found = compose.problems(compose.load(COMPOSE, env), root)
        assert found == ["gateway: the image of Dockerfile target gateway does not contain the SPA",
                         "gateway: the image of Dockerfile target gateway does not contain the persisted-operations manifest"], found
    layout = dockerfile.gateway_layout(text, root)
    for sub in TREES:
        found = k8s.problems(kustomize_lite.build(ROOT / "k8s" / sub), DOCS, layout)
        assert found == [
            "Deployment/gateway container gateway: its image (deploy/Dockerfile target gateway) does not contain the SPA",
            "Deployment/gateway container gateway: its image (deploy/Dockerfile target gateway) does not contain the "
            "persisted-operations manifest"], (sub, found)


def test_an_image_moving_the_spa_fails_compose_and_k8s_until_they_follow(tmp_path):
    """A Dockerfile consistent in itself (SPA at /app/public, ENV updated) passes its own checks;
    compose and every k8s tree, still pointing at /app/static, fail, and only for that."""
    text = _replace(_replace(TEXT, SPA_COPY, SPA_COPY.replace("/app/static", "/app/public")),
                    "GATEWAY_STATIC_DIR=/app/static", "GATEWAY_STATIC_DIR=/app/public")
    root = _root_with_dockerfile(tmp_path, text)
    assert dockerfile.spa_problems(text, root) == []
    for env in (compose.read_env_file(ENV_EXAMPLE), {}):
        assert compose.problems(compose.load(COMPOSE, env), root) == [
            "gateway: GATEWAY_STATIC_DIR='/app/static', but the image puts the SPA at /app/public"]
    layout = dockerfile.gateway_layout(text, root)
    for sub in TREES:
        assert k8s.problems(kustomize_lite.build(ROOT / "k8s" / sub), DOCS, layout) == [
            "Deployment/gateway container gateway: GATEWAY_STATIC_DIR='/app/static', but the image puts the SPA at /app/public"], sub


def test_a_k8s_tree_without_the_manifest_fails_for_base_and_overlays(tmp_path):
    """A copy of k8s/ whose gateway lost GATEWAY_PERSISTED_MANIFEST fails through the whole path
    (files -> kustomize_lite -> checks) for base and both overlays, and only for that."""
    tree = tmp_path / "k8s"
    shutil.copytree(ROOT / "k8s", tree)
    path = tree / "base" / "gateway.yaml"
    docs = list(yaml.safe_load_all(path.read_text()))
    c = docs[0]["spec"]["template"]["spec"]["containers"][0]
    c["env"] = [e for e in c["env"] if e["name"] != "GATEWAY_PERSISTED_MANIFEST"]
    path.write_text(yaml.safe_dump_all(docs))
    for sub in TREES:
        assert k8s.problems(kustomize_lite.build(tree / sub), DOCS) == [
            "Deployment/gateway container gateway: no GATEWAY_PERSISTED_MANIFEST (the image puts the "
            "persisted-operations manifest at /app/persisted-operations.json)"], sub


def test_the_manifest_the_image_ships_is_the_one_the_gateway_loads():
    """The manifest `npm run build` writes is what the gateway loads: {"sha256:<hex>": document},
    every key the SHA-256 of its document (the gateway refuses to start otherwise). Checked on the
    last local build when there is one (make spa / frontend-test)."""
    built = ROOT / "frontend" / "build" / "persisted-operations.json"
    if not built.is_file():
        pytest.skip("no local SPA build (make spa)")
    manifest = json.loads(built.read_text())
    assert manifest
    for key, document in manifest.items():
        assert key == "sha256:" + hashlib.sha256(document.encode()).hexdigest(), key
