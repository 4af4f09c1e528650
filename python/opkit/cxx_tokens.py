"""C++ header tokens for the API reference (opkit.apiref): comments dropped except the ``// soc:``
markers, and the headers' own macros expanded, so ``OPKIT_BINARY(Add, ADD)`` reads as the three
``Add`` templates it declares.

This is no C++ front end. It reads the declarations of opkit's headers, which are plain, and leaves
function bodies unread. libclang would read them exactly, but it is not installed here and CI would
need a 40 MB wheel for a document; what the subset below cannot read, tests/unit/test_apiref.py shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SOC_MARKER = re.compile(r"//\s*soc:(.*)$")
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<block>/\*.*?\*/)
  | (?P<line>//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<number>\.?\d(?:[eEpP][+-]|[\w.'])*)
  | (?P<punct>::|->|\.\.\.|\#\#|<<=|<=|<<|==|!=|&&|\|\||\+\+|--|[-+*/%&|^!=]=|[{}()\[\];:,.<>?~!%^&|*/+\-=\#])
""", re.X | re.S)


@dataclass
class Token:
    kind: str  # ident, number, string, punct, marker
    text: str
    line: int
    soc: str | None = None  # the text of a `// soc:` marker this token comes under (a macro expansion's)


@dataclass
class Macro:
    name: str
    params: list[str] | None  # None: an object-like macro
    body: list[Token] = field(default_factory=list)


class ScanError(ValueError):
    """A header the scanner cannot read; the message names the file and line."""


def tokenize(text: str, path: str = "<text>", line: int = 1) -> list[Token]:
    """The tokens of C++ text without preprocessor lines (see ``scan``)."""
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ScanError(f"{path}:{line}: cannot read {text[pos:pos + 20]!r}")
        kind, value = m.lastgroup, m.group()
        if kind == "line":
            marker = SOC_MARKER.match(value)
            if marker:
                out.append(Token("marker", marker.group(1).strip(), line))
        elif kind not in ("ws", "block"):
            out.append(Token(kind, value, line))
        line += value.count("\n")
        pos = m.end()
    return out


def _logical_lines(text: str):
    """(first line number, logical line) with backslash continuations joined."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        start, parts = i + 1, [lines[i]]
        while parts[-1].endswith("\\") and i + 1 < len(lines):
            parts[-1] = parts[-1][:-1]
            i += 1
            parts.append(lines[i])
        yield start, "\n".join(parts), i + 1 - start
        i += 1


_DEFINE = re.compile(r"\s*#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?(.*)$", re.S)
_UNDEF = re.compile(r"\s*#\s*undef\s+([A-Za-z_]\w*)")


def scan(text: str, path: str, macros: dict[str, Macro],
         keep: frozenset[str] | set[str] = frozenset()) -> tuple[list[Token], dict[str, Macro]]:
    """Tokens of one header with its macros expanded; ``macros`` are other headers' (those still
    defined at their end), used when this header calls one it does not define, and those named in
    ``keep`` stay unexpanded. Returns the tokens and the macros this header leaves defined.
    Conditionals are not evaluated: both branches are read (opkit's API headers use them only for
    the C++ ABI and to let a program define a macro first)."""
    own: dict[str, Macro] = {}
    undefined: set[str] = set()
    out: list[Token] = []
    chunk: list[str] = []
    chunk_line = 1

    def flush() -> None:
        if chunk:
            toks = tokenize("\n".join(chunk), path, chunk_line)
            out.extend(_expand(toks, lambda n: None if n in keep else own.get(n) or (
                None if n in undefined else macros.get(n)), path))
            chunk.clear()

    for line_no, logical, extra in _logical_lines(text):
        if logical.lstrip().startswith("#"):
            flush()
            d = _DEFINE.match(logical)
            if d:
                name, params = d.group(1), d.group(3)
                plist = None if d.group(2) is None else [p.strip() for p in params.split(",") if p.strip()]
                body = [t for t in tokenize(d.group(4), path, line_no) if t.kind != "marker"]
                own[name] = Macro(name, plist, body)
                undefined.discard(name)
            u = _UNDEF.match(logical)
            if u:
                own.pop(u.group(1), None)
                undefined.add(u.group(1))
            chunk_line = line_no + extra + 1
            continue
        if not chunk:
            chunk_line = line_no
        chunk.append(logical.replace("\n", " ") + "\n" * extra)
    flush()
    return out, own


def _is_qualifier(name: str) -> bool:
    # __aicore__, __gm__, __global__, ...: kept as tokens (the reference drops them where it prints).
    return name.startswith("__")


def _expand(toks: list[Token], lookup, path: str, active: frozenset = frozenset()) -> list[Token]:
    out: list[Token] = []
    pending_soc: str | None = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "marker":
            pending_soc = t.text
            out.append(t)
            i += 1
            continue
        if t.kind == "punct" and t.text in (";", "}"):
            pending_soc = None
        m = lookup(t.text) if t.kind == "ident" and t.text not in active and not _is_qualifier(t.text) else None
        if m is None:
            out.append(t)
            i += 1
            continue
        if m.params is None:
            body = _substitute(m, [], t, path)
            i += 1
        else:
            if i + 1 >= len(toks) or toks[i + 1].text != "(":
                out.append(t)
                i += 1
                continue
            args, i = _collect_args(toks, i + 1, path)
            body = _substitute(m, [_expand(a, lookup, path, active) for a in args], t, path)
        soc = pending_soc or t.soc
        for b in _expand(body, lookup, path, active | {m.name}):
            out.append(Token(b.kind, b.text, t.line, b.soc or soc))
        pending_soc = None
    return out


def _collect_args(toks: list[Token], i: int, path: str) -> tuple[list[list[Token]], int]:
    """The arguments of a macro call whose `(` is toks[i]; returns them and the index after `)`."""
    args: list[list[Token]] = [[]]
    depth = 0
    start_line = toks[i].line
    i += 1
    while i < len(toks):
        t = toks[i]
        if t.text in ("(", "[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            if depth == 0:
                return ([] if args == [[]] else args), i + 1
            depth -= 1
        elif t.text == "," and depth == 0:
            args.append([])
            i += 1
            continue
        args[-1].append(t)
        i += 1
    raise ScanError(f"{path}:{start_line}: a macro call's `(` is never closed")


def _substitute(m: Macro, args: list[list[Token]], at: Token, path: str) -> list[Token]:
    params = m.params or []
    if "..." in params:
        fixed = len(params) - 1
        rest = args[fixed:]
        va: list[Token] = []
        for k, a in enumerate(rest):
            if k:
                va.append(Token("punct", ",", at.line))
            va.extend(a)
        args = args[:fixed] + [va]
        params = params[:fixed] + ["__VA_ARGS__"]
    if len(args) < len(params):
        args = args + [[] for _ in range(len(params) - len(args))]
    bind = dict(zip(params, args))
    out: list[Token] = []
    body = m.body
    k = 0
    while k < len(body):
        b = body[k]
        if b.text == "#" and k + 1 < len(body) and body[k + 1].text in bind:
            text = " ".join(x.text for x in bind[body[k + 1].text])
            out.append(Token("string", '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"', at.line))
            k += 2
            continue
        if b.text == "##" and out and k + 1 < len(body):
            nxt = body[k + 1]
            right = bind.get(nxt.text, [nxt]) if nxt.kind == "ident" else [nxt]
            left = out.pop()
            glued = tokenize(left.text + (right[0].text if right else ""), path, at.line)
            out.extend(glued + list(right[1:]))
            k += 2
            continue
        if b.kind == "ident" and b.text in bind:
            out.extend(Token(x.kind, x.text, at.line, x.soc) for x in bind[b.text])
        else:
            out.append(Token(b.kind, b.text, at.line))
        k += 1
    return out


_TIGHT_BEFORE = {",", ")", "]", ";", "::", ".", "->", "...", "&", "*", "&&"}
_TIGHT_AFTER = {"(", "[", "::", ".", "->", "~", "!"}


def join_tokens(toks: list[Token]) -> str:
    """Tokens as C++ text with ordinary spacing: `const LocalTensor<T>& dst`, `f(int a = -1)`."""
    out: list[str] = []
    prev: Token | None = None
    before = ""  # the text of the token before prev
    angle = 0
    for t in toks:
        x = t.text
        if t.kind == "marker":
            continue
        space = prev is not None and x not in _TIGHT_BEFORE and prev.text not in _TIGHT_AFTER
        if prev is not None:
            if x == "<" and prev.kind == "ident" and prev.text != "template":
                space = False
            elif (prev.text == "<" or x == ">") and angle:
                space = False
            elif x in ("(", "[") and (prev.kind == "ident" or prev.text in (")", "]") and before == "operator"):
                space = False
            elif prev.text in ("-", "+", "~") and before in ("=", "(", ",", "{", "return", ""):
                space = False  # a unary sign
            elif x == "}" or prev.text == "{":
                space = False
        if x == "<" and prev is not None and (prev.kind == "ident" or prev.text == "template"):
            angle += 1
        elif x == ">" and angle:
            angle -= 1
        if space:
            out.append(" ")
        out.append(x)
        before = prev.text if prev is not None else ""
        prev = t
    return re.sub(r"operator\s*([^\w\s(]+|\(\s*\))\s*\(", lambda m: "operator" + m.group(1).replace(" ", "") + "(",
                  "".join(out))
