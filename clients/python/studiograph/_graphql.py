"""Just enough GraphQL lexing to tell a query from a mutation and to see declared variables."""

import re

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _strip(document):
    """The document without comments and string literals (replaced by a space)."""
    out = []
    i, n = 0, len(document)
    while i < n:
        c = document[i]
        if c == "#":
            j = document.find("\n", i)
            i = n if j < 0 else j
            continue
        if document.startswith('"""', i):
            j = i + 3
            while j < n:
                if document.startswith('\\"""', j):
                    j += 4
                    continue
                if document.startswith('"""', j):
                    break
                j += 1
            i = j + 3
            out.append(" ")
            continue
        if c == '"':
            j = i + 1
            while j < n and document[j] != '"' and document[j] != "\n":
                j += 2 if document[j] == "\\" else 1
            i = j + 1
            out.append(" ")
            continue
        out.append(c)
        i += 1
    return "".join(out)


def operations(document):
    """``[(kind, name), ...]`` of the document's operations (``kind`` is ``query``,
    ``mutation`` or ``subscription``; ``name`` may be ``None``)."""
    text = _strip(document)
    found = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "{":
            if depth == 0:
                found.append(("query", None))  # shorthand `{ ... }`
            depth += 1
            i += 1
            continue
        if c == "}":
            depth = max(0, depth - 1)
            i += 1
            continue
        if depth == 0:
            m = _NAME.match(text, i)
            if m:
                word = m.group(0)
                i = m.end()
                if word in ("query", "mutation", "subscription", "fragment"):
                    while i < n and text[i].isspace():
                        i += 1
                    rest = _NAME.match(text, i)
                    if word != "fragment":
                        found.append((word, rest.group(0) if rest else None))
                    # Skip to the selection set (past variable definitions, whose default values
                    # may hold braces): its `{` must not count as a shorthand query.
                    parens = 0
                    while i < n and not (text[i] == "{" and parens == 0):
                        if text[i] == "(":
                            parens += 1
                        elif text[i] == ")":
                            parens -= 1
                        i += 1
                    depth = 1
                    i += 1
                continue
        i += 1
    return found


def operation_kind(document, operation_name=None):
    """``query``, ``mutation`` or ``subscription`` for the operation that will run (``None``
    when it cannot be told)."""
    ops = operations(document)
    if operation_name:
        for kind, name in ops:
            if name == operation_name:
                return kind
        return None
    if len(ops) == 1:
        return ops[0][0]
    return None


def declares_variable(document, name):
    """Whether the document declares ``$name`` (in some operation's variable definitions)."""
    return re.search(r"\$" + re.escape(name) + r"\s*:", _strip(document)) is not None


def contains_idempotency_key(document, variables):
    """Whether the request carries an ``idempotencyKey`` (inline or in the variables)."""
    if re.search(r"\bidempotencyKey\s*:\s*[\"$]", document):
        return True

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "idempotencyKey" and v:
                    return True
                if walk(v):
                    return True
        elif isinstance(value, list):
            for v in value:
                if walk(v):
                    return True
        return False

    return walk(variables or {})
