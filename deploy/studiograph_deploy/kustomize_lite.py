"""A small kustomize renderer for exactly the features k8s/ uses.

No kustomize binary installs from the registries this project may use (crates.io, PyPI, npm,
Debian), so `deploy/check.sh` renders k8s/ with this module and, where `kubectl` is installed
(its built-in kustomize), checks that both renderings are the same objects. Supported
kustomization fields, and nothing else (anything unknown is an error, so a new feature cannot
be silently ignored):

- `resources`: YAML files (several documents each) and directories holding a kustomization
- `namespace`: set on every namespaced object (cluster-scoped kinds are left alone)
- `images`: `name` -> `newName` / `newTag` / `digest` on containers and initContainers
- `patches`: JSON 6902 operations (add / replace / remove) given inline in `patch`, applied to
  every object matching `target` (`kind`, `name` as an anchored regular expression, `namespace`,
  `labelSelector` of `key=value` terms)
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
CLUSTER_SCOPED_KINDS = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
}
POD_TEMPLATE_PATHS = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}


class KustomizeError(Exception):
    """The kustomization uses something this renderer does not support, or is invalid."""


def build(directory: str | Path) -> list[dict[str, Any]]:
    """Renders the kustomization in `directory` to a list of objects."""
    directory = Path(directory)
    kfile = next((directory / n for n in KUSTOMIZATION_FILES if (directory / n).is_file()), None)
    if kfile is None:
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    k = yaml.safe_load(kfile.read_text()) or {}
    unknown = set(k) - SUPPORTED_FIELDS
    if unknown:
        raise KustomizeError(f"{kfile}: unsupported kustomization fields {sorted(unknown)}")
    if k.get("kind", "Kustomization") != "Kustomization":
        raise KustomizeError(f"{kfile}: kind must be Kustomization")

    objects: list[dict[str, Any]] = []
    for entry in k.get("resources", []):
        path = directory / entry
        if path.is_dir():
            objects.extend(build(path))
        elif path.is_file():
            objects.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
        else:
            raise KustomizeError(f"{kfile}: resource {entry!r} does not exist")

    seen: set[tuple[str, str, str]] = set()
    for obj in objects:
        key = _id(obj)
        if key in seen:
            raise KustomizeError(f"{kfile}: duplicate object {key}")
        seen.add(key)

    if "namespace" in k:
        for obj in objects:
            if obj.get("kind") not in CLUSTER_SCOPED_KINDS:
                obj.setdefault("metadata", {})["namespace"] = k["namespace"]

    for image in k.get("images", []):
        _set_image(objects, image, kfile)

    for patch in k.get("patches", []):
        _apply_patch(objects, patch, kfile)
    return objects


def _id(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata", {})
    return (obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload object, or None."""
    path = POD_TEMPLATE_PATHS.get(obj.get("kind", ""))
    if path is None:
        return None
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _split_image(image: str) -> tuple[str, str]:
    """(name, suffix) where suffix is `:tag`, `@digest` or ''."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return name, "@" + digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon:]
    return image, ""


def _set_image(objects: list[dict[str, Any]], image: dict[str, Any], kfile: Path) -> None:
    unknown = set(image) - {"name", "newName", "newTag", "digest"}
    if unknown or "name" not in image:
        raise KustomizeError(f"{kfile}: unsupported images entry {image}")
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            name, suffix = _split_image(container.get("image", ""))
            if name != image["name"]:
                continue
            name = image.get("newName", name)
            if "digest" in image:
                suffix = "@" + image["digest"]
            elif "newTag" in image:
                suffix = ":" + str(image["newTag"])
            container["image"] = name + suffix


def _matches(obj: dict[str, Any], target: dict[str, Any], kfile: Path) -> bool:
    unknown = set(target) - {"kind", "name", "namespace", "labelSelector"}
    if unknown:
        raise KustomizeError(f"{kfile}: unsupported patch target fields {sorted(unknown)}")
    meta = obj.get("metadata", {})
    if "kind" in target and obj.get("kind") != target["kind"]:
        return False
    if "name" in target and not re.fullmatch(target["name"], meta.get("name", "")):
        return False
    if "namespace" in target and meta.get("namespace", "") != target["namespace"]:
        return False
    if "labelSelector" in target:
        labels = meta.get("labels", {})
        for term in str(target["labelSelector"]).split(","):
            if "=" not in term or term.count("!=") or term.count("=") > 1:
                raise KustomizeError(f"{kfile}: only key=value label selectors are supported")
            key, value = (s.strip() for s in term.split("="))
            if labels.get(key) != value:
                return False
    return True


def _apply_patch(objects: list[dict[str, Any]], patch: dict[str, Any], kfile: Path) -> None:
    if set(patch) - {"target", "patch"} or "patch" not in patch or "target" not in patch:
        raise KustomizeError(f"{kfile}: only inline JSON 6902 patches with a target are supported")
    ops = yaml.safe_load(patch["patch"])
    if not isinstance(ops, list):
        raise KustomizeError(f"{kfile}: patch for {patch['target']} is not a JSON 6902 list")
    matched = [o for o in objects if _matches(o, patch["target"], kfile)]
    if not matched:
        raise KustomizeError(f"{kfile}: patch target {patch['target']} matches nothing")
    for obj in matched:
        for op in ops:
            _json6902(obj, op, kfile)


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"bad JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _json6902(obj: dict[str, Any], op: dict[str, Any], kfile: Path) -> None:
    kind = op.get("op")
    if kind not in {"add", "replace", "remove"}:
        raise KustomizeError(f"{kfile}: unsupported JSON 6902 op {kind!r}")
    *parents, last = _pointer(op["path"])
    node: Any = obj
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.get(part)
        if node is None:
            raise KustomizeError(f"{kfile}: path {op['path']} does not exist in {_id(obj)}")
    value = copy.deepcopy(op.get("value"))
    if isinstance(node, list):
        if last == "-" and kind == "add":
            node.append(value)
            return
        index = int(last)
        if kind == "add":
            node.insert(index, value)
        elif kind == "replace":
            node[index] = value
        else:
            del node[index]
        return
    if kind in {"replace", "remove"} and last not in node:
        raise KustomizeError(f"{kfile}: path {op['path']} does not exist in {_id(obj)}")
    if kind == "remove":
        del node[last]
    else:
        node[last] = value
