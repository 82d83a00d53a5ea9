"""Checks of deploy/Dockerfile's SPA: the `spa` stage builds frontend/ the way the frontend's own
build does, and the gateway target ships its output and points its environment at it.

`parse(text)` reads a Dockerfile into stages (continuation lines joined, comments skipped, `ARG`
defaults substituted into `FROM`); `spa_problems(text, root)` returns what is wrong with the SPA's
path from the repository into the gateway image, [] if nothing, and `gateway_layout(text)` says
where the image puts the SPA and its persisted-operations manifest (the compose and k8s checks
compare the gateway's environment with it). No Docker engine is involved: this reads files.

What the frontend build needs and emits is read from the frontend itself, so the checks follow it:
`frontend/codegen.ts` (`schema:`, the SDL codegen reads, relative to frontend/),
`frontend/vite.config.ts` (`outDir`, default `dist`), the Makefile's `SPA_MANIFEST` (the manifest
`npm run build` writes, confirmed in `frontend/scripts/persisted.mjs`) and `frontend/package.json`
(`engines.node`, the `build` script).
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

SPA_STAGE = "spa"
GATEWAY_TARGET = "gateway"
# The runtime targets: each ships one binary (and the gateway the SPA); none may carry Node.
RUNTIME_TARGETS = ("gateway", "hr", "production", "render", "render-agent")
STATIC_ENV = "GATEWAY_STATIC_DIR"
MANIFEST_ENV = "GATEWAY_PERSISTED_MANIFEST"
PERSISTED_ONLY_ENV = "GATEWAY_COOKIE_PERSISTED_ONLY"
# The gateway parses booleans with Rust's `bool::from_str`: exactly `true` or `false`, anything
# else stops it at start-up.
TRUE = "true"


@dataclass
class Instruction:
    cmd: str  # upper-cased: FROM, RUN, COPY, ENV, WORKDIR, ...
    args: str  # the rest of the (joined) line, flags included
    line: int

    def flags(self) -> dict[str, str]:
        """`--from=spa --chmod=0755` -> {"from": "spa", "chmod": "0755"} (a bare flag maps to "")."""
        out: dict[str, str] = {}
        for word in self.args.split():
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            out[name] = value
        return out

    def operands(self) -> list[str]:
        """The arguments after the flags: JSON form or shell words."""
        rest = self.args.strip()
        while rest.startswith("--"):
            parts = rest.split(None, 1)
            rest = parts[1].strip() if len(parts) > 1 else ""
        if rest.startswith("["):
            try:
                return [str(v) for v in json.loads(rest)]
            except ValueError:
                pass
        return shlex.split(rest, posix=True)


@dataclass
class Stage:
    name: str | None
    base: str
    line: int
    instructions: list[Instruction] = field(default_factory=list)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, instruction) with backslash continuations joined and comments dropped."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped, as docker does
        if not buf:
            start = n
        if stripped.endswith("\\"):
            buf.append(stripped[:-1].strip())
            continue
        buf.append(stripped)
        out.append((start, " ".join(p for p in buf if p)))
        buf = []
    if buf:
        out.append((start, " ".join(buf)))
    return out


def _substitute(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), value)


def parse(text: str) -> list[Stage]:
    """The stages of a Dockerfile, in order."""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line, inst in _logical_lines(text):
        cmd, _, args = inst.partition(" ")
        cmd, args = cmd.upper(), args.strip()
        if cmd == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            base = _substitute(words[0], global_args) if words else ""
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(name, base, line))
        elif cmd == "ARG" and not stages:
            key, _, default = args.partition("=")
            global_args[key.strip()] = default.strip()
        elif stages:
            stages[-1].instructions.append(Instruction(cmd, args, line))
    return stages


def stage(stages: list[Stage], name: str) -> Stage | None:
    return next((s for s in stages if s.name == name), None)


def chain(stages: list[Stage], target: str) -> list[Stage]:
    """The stages a target is built on, base first (FROM <earlier stage> followed)."""
    out: list[Stage] = []
    current = stage(stages, target)
    while current is not None and current not in out:
        out.insert(0, current)
        current = stage(stages, current.base)
    return out


def _env_pairs(args: str) -> dict[str, str]:
    words = shlex.split(args, posix=True)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}  # legacy `ENV KEY value`
    return dict(w.split("=", 1) for w in words if "=" in w)


def image_env(stages: list[Stage], target: str) -> dict[str, str]:
    """The ENV a target's image carries (its own and its parent stages')."""
    env: dict[str, str] = {}
    for s in chain(stages, target):
        for i in s.instructions:
            if i.cmd == "ENV":
                env.update(_env_pairs(i.args))
    return env


def _workdir(s: Stage, before: Instruction | None) -> str:
    """The working directory when `before` runs (at the end of the stage for None)."""
    wd = "/"
    for i in s.instructions:
        if i is before:
            break
        if i.cmd == "WORKDIR":
            wd = posixpath.normpath(posixpath.join(wd, i.operands()[0]))
    return wd


def _copies(s: Stage) -> list[tuple[Instruction, list[str], str]]:
    """(instruction, sources, absolute destination) of every COPY/ADD of a stage."""
    out = []
    for i in s.instructions:
        if i.cmd in ("COPY", "ADD"):
            ops = i.operands()
            if len(ops) >= 2:
                dest = ops[-1]
                absolute = posixpath.join(_workdir(s, i), dest)
                out.append((i, ops[:-1], posixpath.normpath(absolute) + ("/" if dest.endswith("/") else "")))
    return out


def copied_to(s: Stage, repo_path: str, root: Path, before: Instruction | None = None) -> str | None:
    """Where a file of the build context (`repo_path`, relative to the repo root) lands in stage
    `s`, from its COPYs (not `--from`) before `before`; None if no COPY brings it in."""
    found = None
    limit = next((n for n, i in enumerate(s.instructions) if i is before), len(s.instructions))
    earlier = {id(i) for i in s.instructions[:limit]}
    for i, sources, dest in _copies(s):
        if id(i) not in earlier:
            break
        if "from" in i.flags():
            continue
        for src in sources:
            clean = posixpath.normpath(src).lstrip("/")
            clean = "" if clean == "." else clean
            is_dir = src.endswith("/") or clean == "" or (root / clean).is_dir()
            if any(c in clean for c in "*?["):
                if fnmatch.fnmatchcase(repo_path, clean) and "/" not in repo_path[len(posixpath.dirname(clean)) + 1:]:
                    found = posixpath.join(dest, posixpath.basename(repo_path))
            elif is_dir and (clean == "" or repo_path.startswith(clean + "/")):
                rel = repo_path[len(clean) + 1:] if clean else repo_path
                found = posixpath.join(dest, rel)
            elif not is_dir and repo_path == clean:
                found = posixpath.join(dest, posixpath.basename(clean)) if dest.endswith("/") or len(sources) > 1 else dest
    return posixpath.normpath(found) if found else None


def _run_index(s: Stage, pattern: str) -> Instruction | None:
    return next((i for i in s.instructions if i.cmd == "RUN" and re.search(pattern, i.args)), None)


def under(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or inside it (so a mount at `directory` would hide it)."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@dataclass
class FrontendBuild:
    """What `npm run build` in frontend/ reads and writes, relative to frontend/."""

    schema: str  # e.g. ../schema/api.graphql
    dist: str  # e.g. dist
    manifest: str  # e.g. build/persisted-operations.json
    node_major: int | None  # the lowest Node major engines.node admits


def frontend_build(root: Path) -> tuple[FrontendBuild | None, list[str]]:
    """Reads frontend/codegen.ts, vite.config.ts, package.json, scripts/persisted.mjs and the
    Makefile's SPA_MANIFEST."""
    out: list[str] = []
    fe = root / "frontend"
    try:
        codegen = (fe / "codegen.ts").read_text()
        vite = (fe / "vite.config.ts").read_text()
        package = json.loads((fe / "package.json").read_text())
        makefile = (root / "Makefile").read_text()
        persisted = (fe / "scripts" / "persisted.mjs").read_text()
    except (OSError, ValueError) as e:
        return None, [f"frontend: cannot read what its build needs: {e}"]
    m = re.search(r"""\bschema:\s*['"]([^'"]+)['"]""", codegen)
    if not m:
        out.append("frontend/codegen.ts: no `schema: '<path>'` found (the SDL graphql-codegen reads)")
    schema = m.group(1) if m else ""
    od = re.search(r"""\boutDir:\s*['"]([^'"]+)['"]""", vite)
    dist = posixpath.normpath(od.group(1)) if od else "dist"
    mm = re.search(r"(?m)^SPA_MANIFEST\s*:?=\s*(\S+)\s*$", makefile)
    if not mm or not mm.group(1).startswith("frontend/"):
        out.append("Makefile: no SPA_MANIFEST := frontend/<path> (where `npm run build` writes the manifest)")
    manifest = mm.group(1)[len("frontend/"):] if mm else ""
    code = "\n".join(line for line in persisted.splitlines() if not line.lstrip().startswith("//"))
    if manifest and manifest not in code:
        out.append(f"frontend/scripts/persisted.mjs does not write {manifest} (the Makefile's SPA_MANIFEST)")
    build_script = (package.get("scripts") or {}).get("build", "")
    if "codegen" not in build_script or "persisted.mjs emit" not in build_script:
        out.append(f"frontend/package.json: `build` ({build_script!r}) no longer runs codegen and `persisted.mjs emit`")
    engines = (package.get("engines") or {}).get("node", "")
    em = re.search(r"(\d+)", engines)
    return FrontendBuild(schema, dist, manifest, int(em.group(1)) if em else None), out


@dataclass
class GatewayLayout:
    """Where the gateway image holds the SPA and its manifest, and its baked-in environment."""

    static_dir: str | None
    manifest: str | None
    env: dict[str, str]


def gateway_layout(text: str, root: Path) -> GatewayLayout:
    """The destinations of the gateway target's COPY --from=spa of the SPA's dist/ and manifest."""
    stages = parse(text)
    spa = stage(stages, SPA_STAGE)
    fb, _ = frontend_build(root)
    static_dir = manifest = None
    if spa is not None and fb is not None:
        build = _run_index(spa, r"\bnpm run build\b")
        if build is not None:
            wd = _workdir(spa, build)
            dist = posixpath.normpath(posixpath.join(wd, fb.dist))
            man = posixpath.normpath(posixpath.join(wd, fb.manifest)) if fb.manifest else None
            for s in chain(stages, GATEWAY_TARGET):
                for i, sources, dest in _copies(s):
                    if i.flags().get("from") != SPA_STAGE:
                        continue
                    for src in sources:
                        src = posixpath.normpath(posixpath.join("/", src))
                        if src == dist:
                            static_dir = dest.rstrip("/") or "/"
                        elif man and src == man:
                            manifest = posixpath.join(dest, posixpath.basename(man)) if dest.endswith("/") else dest
    return GatewayLayout(static_dir, manifest, image_env(stages, GATEWAY_TARGET))


def spa_problems(text: str, root: Path) -> list[str]:
    """Everything wrong with how the Dockerfile builds the SPA and ships it in the gateway."""
    stages = parse(text)
    fb, out = frontend_build(root)
    spa = stage(stages, SPA_STAGE)
    if spa is None:
        out.append(f"Dockerfile: no `{SPA_STAGE}` stage (the gateway image would have no SPA)")
        out.extend(_runtime_problems(stages, set()))
        return out
    if fb is None:
        return out
    where = f"Dockerfile stage {SPA_STAGE}"

    base = re.fullmatch(r"node:(\d+)(?:\.\d+)*-bookworm-slim", spa.base)
    if not base:
        out.append(f"{where}: FROM {spa.base}, expected node:<version>-bookworm-slim (the Debian release the runtime uses)")
    elif fb.node_major is not None and int(base.group(1)) < fb.node_major:
        out.append(f"{where}: Node {base.group(1)} is older than frontend/package.json's engines.node")

    ci = _run_index(spa, r"\bnpm ci\b")
    build = _run_index(spa, r"\bnpm run build\b")
    if _run_index(spa, r"\bnpm (install|i)\b"):
        out.append(f"{where}: `npm install` may resolve other versions than frontend/package-lock.json; use `npm ci`")
    if ci is None:
        out.append(f"{where}: no `npm ci` (the locked dependencies of frontend/package-lock.json)")
    if build is None:
        out.append(f"{where}: no `npm run build` (codegen, typecheck, vite build, manifest)")
        return out + _runtime_problems(stages, set())
    wd = _workdir(spa, build)
    if ci is not None:
        if spa.instructions.index(ci) > spa.instructions.index(build):
            out.append(f"{where}: `npm ci` runs after `npm run build`")
        if _workdir(spa, ci) != wd:
            out.append(f"{where}: `npm ci` runs in {_workdir(spa, ci)}, `npm run build` in {wd}")
        for f in ("frontend/package.json", "frontend/package-lock.json"):
            at = copied_to(spa, f, root, before=ci)
            if at != posixpath.join(_workdir(spa, ci), posixpath.basename(f)):
                out.append(f"{where}: {f} is not in {_workdir(spa, ci)} when `npm ci` runs (copied to {at})")

    # Every file `npm run build` reads must be where it looks: the sources in the working
    # directory, and the schema codegen reads at its path relative to frontend/.
    for f in ("frontend/package.json", "frontend/codegen.ts", "frontend/vite.config.ts", "frontend/index.html",
              "frontend/scripts/persisted.mjs", "frontend/tsconfig.json"):
        at = copied_to(spa, f, root, before=build)
        want = posixpath.join(wd, f[len("frontend/"):])
        if at != want:
            out.append(f"{where}: {f} is not at {want} when `npm run build` runs (copied to {at})")
    if fb.schema:
        repo_schema = posixpath.normpath(posixpath.join("frontend", fb.schema))
        want = posixpath.normpath(posixpath.join(wd, fb.schema))
        at = copied_to(spa, repo_schema, root, before=build)
        if not (root / repo_schema).is_file():
            out.append(f"frontend/codegen.ts reads {fb.schema}, but {repo_schema} does not exist")
        if at != want:
            out.append(f"{where}: graphql-codegen reads {fb.schema} from {wd}, i.e. {want}, but the stage "
                       f"copies {repo_schema} to {at}")

    layout = gateway_layout(text, root)
    gw = f"Dockerfile target {GATEWAY_TARGET}"
    dist = posixpath.join(wd, fb.dist)
    manifest = posixpath.join(wd, fb.manifest) if fb.manifest else None
    if layout.static_dir is None:
        out.append(f"{gw}: does not COPY --from={SPA_STAGE} {dist} (the built SPA)")
    if manifest and layout.manifest is None:
        out.append(f"{gw}: does not COPY --from={SPA_STAGE} {manifest} (the persisted-operations manifest)")
    env = layout.env
    if layout.static_dir and env.get(STATIC_ENV) != layout.static_dir:
        out.append(f"{gw}: {STATIC_ENV}={env.get(STATIC_ENV)!r}, but the SPA is copied to {layout.static_dir}")
    if layout.manifest and env.get(MANIFEST_ENV) != layout.manifest:
        out.append(f"{gw}: {MANIFEST_ENV}={env.get(MANIFEST_ENV)!r}, but the manifest is copied to {layout.manifest}")
    if layout.manifest and layout.static_dir and under(layout.manifest, layout.static_dir):
        out.append(f"{gw}: the manifest {layout.manifest} is inside {STATIC_ENV} {layout.static_dir}: it would be served")
    if env.get(PERSISTED_ONLY_ENV) != TRUE:
        out.append(f"{gw}: {PERSISTED_ONLY_ENV}={env.get(PERSISTED_ONLY_ENV)!r} in the image, expected {TRUE!r} "
                   "(browser sessions could run any document)")
    return out + _runtime_problems(stages, {p for p in (dist, manifest) if p})


def _runtime_problems(stages: list[Stage], allowed: set[str]) -> list[str]:
    """No runtime image is built on Node or the spa stage, and none copies more than dist/ and the
    manifest out of it (no node_modules, no sources)."""
    out: list[str] = []
    for target in RUNTIME_TARGETS:
        if stage(stages, target) is None:
            continue
        stages_of = chain(stages, target)
        root_base = stages_of[0].base if stages_of else ""
        if any(s.name == SPA_STAGE for s in stages_of) or root_base.startswith("node:"):
            out.append(f"Dockerfile target {target}: built on {root_base} / the {SPA_STAGE} stage (Node in a runtime image)")
        for s in stages_of:
            for i, sources, _dest in _copies(s):
                if i.flags().get("from") != SPA_STAGE:
                    continue
                if target != GATEWAY_TARGET:
                    out.append(f"Dockerfile target {target}: copies {sources} from {SPA_STAGE}; only the gateway serves the SPA")
                for src in sources:
                    if posixpath.normpath(posixpath.join("/", src)) not in allowed:
                        out.append(f"Dockerfile target {target}: copies {src} from {SPA_STAGE}; only dist/ and the manifest belong in it")
    return out


# ---- .dockerignore (the build context is the repository root)

# Generated or local output that must never enter the build context: the spa stage makes its own
# node_modules (from the lockfile), codegen output, dist/ and manifest, and a stale copy would at
# best bloat the context and at worst be shipped.
MUST_IGNORE = (
    "frontend/node_modules/react/package.json",
    "schema/node_modules/graphql/package.json",
    "frontend/dist/index.html",
    "frontend/build/persisted-operations.json",
    "frontend/src/gql/graphql.ts",
    "frontend/test-results/review-approves.png",
    "frontend/coverage/index.html",
    "target/release/gateway",
    ".env",
)


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    """moby/patternmatcher's translation of one .dockerignore pattern."""
    out, i = "^", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern[i + 1:i + 2] == "*":
                i += 1
                if pattern[i + 1:i + 2] == "/":
                    i += 1
                out += ".*" if i + 1 >= len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.find("]", i)
            out += pattern[i:end + 1] if end > i else re.escape(c)
            i = end if end > i else i
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + "$")


def ignore_patterns(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """(is an exception `!...`, regex) per line of a .dockerignore."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = posixpath.normpath(line[1:].strip() if negate else line).lstrip("/")
        out.append((negate, _ignore_regex(pattern)))
    return out


def ignored(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether docker leaves `path` (relative to the context) out: the last pattern matching it
    or one of its parent directories decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for negate, rx in patterns:
        if any(rx.match(c) for c in candidates):
            result = not negate
    return result


def dockerignore_problems(dockerfile_text: str, dockerignore_text: str, files: list[str], root: Path) -> list[str]:
    """Every file a COPY of the Dockerfile reads from the context (`files`: the repository's
    tracked files) is in the context; generated and local output is not."""
    patterns = ignore_patterns(dockerignore_text)
    out = [f".dockerignore: {p} would be sent to the build context" for p in MUST_IGNORE if not ignored(p, patterns)]
    for s in parse(dockerfile_text):
        for i, sources, _dest in _copies(s):
            if "from" in i.flags():
                continue
            for src in sources:
                clean = posixpath.normpath(src).lstrip("/")
                prefix = "" if clean == "." else clean
                needed = [f for f in files if not prefix or f == prefix or f.startswith(prefix + "/")
                          or (any(c in prefix for c in "*?[") and fnmatch.fnmatchcase(f, prefix))]
                if not needed:
                    out.append(f"Dockerfile line {i.line}: COPY {src}: no such file in the repository")
                for f in needed:
                    if ignored(f, patterns):
                        out.append(f".dockerignore: {f} is excluded, but Dockerfile line {i.line} copies {src}")
    return out
