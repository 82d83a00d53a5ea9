"""The client claims Python 3.7+ (Maya 2022). Checked two ways:

1. always: every file of the package and the examples parses with
   ``ast.parse(..., feature_version=(3, 7))`` (the 3.7 grammar: no walrus, no positional-only
   parameters, no ``match``...), and an AST scan refuses what that grammar check lets through
   but 3.7 cannot run: ``list[str]``-style generics and ``X | Y`` in annotations, f-string
   ``=``, and standard-library names added after 3.7;
2. when a Python 3.7 interpreter exists (``$STUDIOGRAPH_PY37``, ``python3.7`` on PATH, or
   pyenv's), the package really runs on it against the stack: byte-compile everything, then
   log in, list tasks, publish, map an error, subscribe.
"""

import ast
import glob
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FILES = sorted(glob.glob(os.path.join(ROOT, "studiograph", "*.py")) + glob.glob(os.path.join(ROOT, "examples", "*.py")))

# Names a 3.7 interpreter does not have (attribute or import), with the version that added them.
NEWER_NAMES = {
    "removeprefix": "3.9", "removesuffix": "3.9", "cache": "3.9 (functools.cache)", "Literal": "3.8", "Protocol": "3.8",
    "TypedDict": "3.8", "Final": "3.8", "zoneinfo": "3.9", "graphlib": "3.9", "prod": "3.8 (math.prod)",
    "isqrt": "3.8", "to_thread": "3.9", "UTC": "3.11 (datetime.UTC)", "ParamSpec": "3.10", "TypeAlias": "3.10",
    "cached_property": "3.8", "shared_memory": "3.8", "metadata": "3.8 (importlib.metadata)", "pairwise": "3.10",
    "batched": "3.12", "bit_count": "3.10", "is_relative_to": "3.9", "with_stem": "3.9", "randbytes": "3.9",
}
BUILTIN_GENERICS = {"list", "dict", "tuple", "set", "frozenset", "type"}


def test_the_package_and_examples_are_all_checked():
    names = [os.path.relpath(f, ROOT) for f in FILES]
    assert "studiograph/client.py" in names and "examples/events_webhook.py" in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_parses_with_the_python_37_grammar(path):
    with open(path) as f:
        source = f.read()
    ast.parse(source, filename=path, feature_version=(3, 7))


def _annotations(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args + node.args.kwonlyargs + [a for a in (node.args.vararg, node.args.kwarg) if a]
            for a in args:
                if a.annotation is not None:
                    yield a.annotation
            if node.returns is not None:
                yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation


@pytest.mark.parametrize("path", FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_uses_nothing_newer_than_37(path):
    with open(path) as f:
        source = f.read()
    tree = ast.parse(source, filename=path)
    problems = []
    for ann in _annotations(tree):
        for node in ast.walk(ann):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in BUILTIN_GENERICS:
                problems.append("line %d: %s[...] in an annotation (3.9)" % (node.lineno, node.value.id))
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                problems.append("line %d: X | Y in an annotation (3.10)" % node.lineno)
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.alias):
            name = node.name.split(".")[-1]
        elif isinstance(node, ast.ImportFrom) and node.module:
            name = node.module.split(".")[-1]
        if name in NEWER_NAMES:
            problems.append("line %d: %s (Python %s)" % (getattr(node, "lineno", 0), name, NEWER_NAMES[name]))
    # f"{x=}" (3.8): the parser turns it into literal text ending in "=" before the value.
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for before, after in zip(parts, parts[1:]):
                if isinstance(before, ast.Constant) and isinstance(after, ast.FormattedValue) \
                        and str(before.value).endswith("=") and after.conversion == ord("r") and after.format_spec is None:
                    segment = ast.get_source_segment(source, node) or ""
                    if "=}" in segment:
                        problems.append("line %d: f-string '=' specifier (3.8)" % node.lineno)
    assert problems == [], "\n".join(problems)


def find_python37():
    candidates = [os.environ.get("STUDIOGRAPH_PY37")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.7*/bin/python3.7")))
    candidates.append(shutil.which("python3.7"))
    for c in candidates:
        if not c or not os.access(c, os.X_OK):
            continue
        probe = subprocess.run([c, "-c", "import sys; print(sys.version_info[:2] == (3, 7))"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if probe.returncode == 0 and probe.stdout.strip() == b"True":  # not a shim of another version
            return c
    return None


SMOKE = textwrap.dedent('''
    import sys, threading, time
    assert sys.version_info[:2] == (3, 7), sys.version
    import studiograph
    url, task_id = sys.argv[1], sys.argv[2]
    artist = studiograph.Client.login(url, "artist@northwind.test", "studiograph-dev")
    admin = studiograph.Client.login(url, "admin@northwind.test", "studiograph-dev")
    assert task_id in [t["id"] for t in artist.my_tasks()]
    try:
        artist.set_task_status(task_id, "APPROVED")
        raise SystemExit("no error")
    except studiograph.TransitionNotAllowed as e:
        assert e.path == ["transitionTask"], e.path
    got = []
    sub = admin.events(types=["version.*"])
    def run():
        for event in sub:
            got.append(event)
            break
    t = threading.Thread(target=run, daemon=True)
    t.start()
    deadline = time.time() + 30
    n = 0
    while not got and time.time() < deadline:
        n += 1
        artist.publish_version(task_id, "/py37/v%03d.ma" % n, frame_start=1, frame_end=2)
        time.sleep(0.5)
    sub.close()
    t.join(10)
    assert got and got[0]["type"] == "version.published", got
    print("py37 ok", n, got[0]["cursor"])
''')


def test_runs_on_python_37_against_the_stack(url, task, tmp_path):
    py37 = find_python37()
    if py37 is None:
        pytest.skip("no Python 3.7 interpreter here (set STUDIOGRAPH_PY37); the grammar checks above still ran")
    compiled = subprocess.run([py37, "-c", "import sys\nfor f in sys.argv[1:]: compile(open(f).read(), f, 'exec')"] + FILES,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert compiled.returncode == 0, compiled.stdout.decode("utf-8", "replace")
    script = tmp_path / "smoke37.py"
    script.write_text(SMOKE)
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run([py37, str(script), url, task["id"]], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=120)
    output = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0, output
    assert "py37 ok" in output
