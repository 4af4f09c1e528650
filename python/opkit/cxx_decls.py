"""The declarations of a C++ header, as opkit.apiref lists them: functions with their overloads,
classes with their public members, enums, aliases and constants, each with its scope and the text of
a ``// soc:`` marker before it. Function bodies are skipped unread (opkit.cxx_tokens says what subset
of C++ this reads)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .cxx_tokens import ScanError, Token, join_tokens

_CLASS_KEYS = ("class", "struct", "union")
_NOT_NAMES = {"decltype", "sizeof", "alignof", "noexcept", "static_assert", "return", "if", "while", "for",
              "switch", "throw"}
_SPECIFIERS = ("typedef", "constexpr", "inline", "static", "extern", "explicit", "virtual", "friend")


@dataclass
class Decl:
    kind: str  # function, class, enum, enumerator, alias, using, constant, variable
    name: str
    scope: tuple[str, ...]  # enclosing namespaces (and classes, for members)
    file: str
    line: int
    text: str = ""  # the declaration, simplified (functions: the signature without the body)
    template: str = ""  # "template <...>" or ""
    soc: str | None = None  # the text of the `// soc:` marker before it
    members: list[Decl] = field(default_factory=list)  # classes: public members; enums: enumerators
    aicore: bool = False  # declared __aicore__ (what marks the kernel API's member functions)


def parse(toks: list[Token], path: str) -> list[Decl]:
    """The declarations at namespace scope in ``toks`` (from opkit.cxx_tokens.scan)."""
    return _Parser(toks, path).parse()


class _Parser:
    def __init__(self, toks: list[Token], path: str):
        self.t = toks
        self.path = path

    def err(self, i: int, what: str) -> ScanError:
        line = self.t[min(i, len(self.t) - 1)].line if self.t else 0
        return ScanError(f"{self.path}:{line}: {what}")

    def text(self, i: int) -> str:
        return self.t[i].text if i < len(self.t) else ""

    def skip_balanced(self, i: int) -> int:
        """Index after the bracket group opening at i."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = [pairs[self.t[i].text]]
        j = i + 1
        while j < len(self.t):
            x = self.t[j].text if self.t[j].kind == "punct" else None
            if x in pairs:
                stack.append(pairs[x])
            elif x in (")", "]", "}"):
                if x != stack[-1]:
                    raise self.err(j, f"unbalanced {x!r} (the bracket opened at line {self.t[i].line})")
                stack.pop()
                if not stack:
                    return j + 1
            j += 1
        raise self.err(i, f"{self.t[i].text!r} is never closed")

    def skip_angles(self, i: int) -> int:
        """Index after the template argument list whose `<` is at i."""
        depth, j = 0, i
        while j < len(self.t):
            x = self.t[j].text
            if x in ("(", "[", "{"):
                j = self.skip_balanced(j)
                continue
            if x == "<":
                depth += 1
            elif x == ">":
                depth -= 1
                if depth == 0:
                    return j + 1
            elif x in (";", "}"):
                break
            j += 1
        raise self.err(i, "a template argument list is never closed")

    def to_semicolon(self, i: int) -> int:
        """Index after the `;` ending the declaration that i is inside."""
        while i < len(self.t) and self.t[i].text != ";":
            i = self.skip_balanced(i) if self.t[i].text in ("(", "[", "{") else i + 1
        return i + 1

    def parse(self) -> list[Decl]:
        out: list[Decl] = []
        i = self.scope(0, (), None, out)
        if i < len(self.t):
            raise self.err(i, "a `}` that closes nothing")
        return out

    def scope(self, i: int, scope: tuple[str, ...], cls: Decl | None, out: list[Decl]) -> int:
        """Declarations up to the `}` closing this scope; returns the index of that `}` (or the end)."""
        access = "private" if cls is not None and cls.text.startswith("class") else "public"
        marker: str | None = None
        while i < len(self.t):
            t = self.t[i]
            x = t.text
            if t.kind == "marker":
                marker = t.text
                i += 1
                continue
            if x == "}":
                return i
            if x == ";":
                i += 1
                continue
            if x == "namespace" or (x == "inline" and self.text(i + 1) == "namespace"):
                j = i + 1 if x == "namespace" else i + 2
                name = ""
                while self.text(j) not in ("{", "=", ";", ""):
                    name += self.t[j].text
                    j += 1
                if self.text(j) != "{":  # a namespace alias
                    i = self.to_semicolon(j)
                    continue
                i = self.scope(j + 1, scope + (name or "(anonymous)",), None, out) + 1
                marker = None
                continue
            if x == "extern" and self.t[i + 1].kind == "string" and self.text(i + 2) == "{":
                i = self.scope(i + 3, scope, cls, out) + 1
                continue
            if x in ("public", "private", "protected") and self.text(i + 1) == ":":
                access = x
                i += 2
                continue
            if x in ("static_assert", "friend"):
                i = self.to_semicolon(i)
                continue
            i, decl = self.declaration(i, scope, out)
            if decl is not None:
                decl.soc = marker or decl.soc or (cls.soc if cls is not None else None)
                if cls is None:
                    out.append(decl)
                elif access == "public":
                    cls.members.append(decl)
            marker = None
        if cls is not None or scope:
            raise self.err(i, f"{'::'.join(scope)} is never closed")
        return i

    def declaration(self, i: int, scope: tuple[str, ...], out: list[Decl]) -> tuple[int, Decl | None]:
        """One declaration from i: returns the index after it and what it declares (None: nothing listed)."""
        line = self.t[i].line
        template = ""
        while self.text(i) == "template" and self.text(i + 1) == "<":
            j = self.skip_angles(i + 1)
            template = join_tokens(self.t[i:j])
            i = j
        specialization = template == "template <>"
        head: list[Token] = []
        soc: str | None = None
        while i < len(self.t):
            t = self.t[i]
            x = t.text
            soc = soc or t.soc
            if t.kind == "marker":
                i += 1
                continue
            if x in ("__attribute__", "alignas") and self.text(i + 1) == "(":
                i = self.skip_balanced(i + 1)  # attributes say nothing a caller writes
                continue
            if x in ("(", "["):
                j = self.skip_balanced(i)
                head.extend(self.t[i:j])
                i = j
                continue
            if x == "<" and head and head[-1].kind == "ident" and head[-1].text != "operator":
                j = self.skip_angles(i)
                head.extend(self.t[i:j])
                i = j
                continue
            if x == ";":
                i += 1
                break
            if x == "}":
                break
            if x == "{":
                kind = _head_kind(head)
                if kind == "class":
                    return self.class_body(i, head, template, scope, out, specialization, soc, line)
                if kind == "enum":
                    return self.enum_body(i, head, scope, soc, line)
                if kind == "function" and not _brace_is_initializer(head):
                    j = self.skip_balanced(i)
                    j = j + 1 if self.text(j) == ";" else j
                    return j, _function(head, template, scope, self.path, line, specialization, soc)
                j = self.skip_balanced(i)  # an initializer: `= {...}`, `x{...}`, a member's `m{...}`
                head.extend(self.t[i:j])
                i = j
                continue
            head.append(t)
            i += 1
        if not head:
            return i, None
        kind = _head_kind(head)
        if kind == "function":
            return i, _function(head, template, scope, self.path, line, specialization, soc)
        if kind in ("class", "enum"):
            return i, None  # a forward declaration
        return i, _other(head, template, scope, self.path, line, soc)

    def class_body(self, i, head, template, scope, out, specialization, soc, line):
        words = [t.text for t in head]
        k = next(n for n, w in enumerate(words) if w in _CLASS_KEYS)
        name = head[k + 1].text if k + 1 < len(head) and head[k + 1].kind == "ident" else ""
        specialization = specialization or (k + 2 < len(words) and words[k + 2] == "<")
        decl = Decl("class", name or "(anonymous)", scope, self.path, line, template=template, soc=soc,
                    text=f"{words[k]} {name}".strip())
        if ":" in words[k + 1:]:
            decl.text += " : " + join_tokens(head[words.index(":", k + 1) + 1:])
        j = self.scope(i + 1, scope + (decl.name,), decl, out)
        j = j + 2 if self.text(j + 1) == ";" else self.to_semicolon(j + 1)
        if specialization or not name or words[0] == "typedef":
            return j, None
        return j, decl

    def enum_body(self, i, head, scope, soc, line):
        words = [t.text for t in head if t.kind != "marker"]
        after = words[words.index("enum") + 1:]
        after = after[1:] if after and after[0] in ("class", "struct") else after
        name = after[0] if after and after[0] != ":" else ""
        decl = Decl("enum", name or "(anonymous)", scope, self.path, line, soc=soc, text=" ".join(words))
        j = i + 1
        first = True
        while self.text(j) != "}":
            if self.t[j].kind == "ident" and first:
                decl.members.append(Decl("enumerator", self.t[j].text, scope, self.path, self.t[j].line))
                first = False
            elif self.text(j) == ",":
                first = True
            elif self.text(j) in ("(", "[", "{"):
                j = self.skip_balanced(j)
                continue
            j += 1
        return (j + 2 if self.text(j + 1) == ";" else self.to_semicolon(j + 1)), decl


def _head_kind(head: list[Token]) -> str:
    words = [t.text for t in head]
    lead = [w for w in words if w not in _SPECIFIERS]
    if not lead:
        return "other"
    if lead[0] == "enum":
        return "enum"
    if words[0] in ("using", "typedef") and lead[0] not in _CLASS_KEYS:
        return "alias"
    if lead[0] in _CLASS_KEYS and (len(lead) < 3 or lead[2] in ("{", ":", "<", "final")):
        return "class"
    return "function" if _name_paren(head) is not None else "other"


def _name_paren(head: list[Token]) -> int | None:
    """Index of the `(` opening a function's parameter list, or None."""
    depth = 0
    for k, t in enumerate(head):
        x = t.text
        if x == "operator":
            j = k + 1
            if j + 1 < len(head) and head[j].text == "(" and head[j + 1].text == ")":
                j += 2  # operator(): its own `()` is part of the name
            while j < len(head) and head[j].text != "(":
                j += 1
            return j if j < len(head) else None
        if x == "<" and k and head[k - 1].kind == "ident":
            depth += 1
        elif x == ">" and depth:
            depth -= 1
        elif x == "=" and depth == 0:
            return None
        elif x == "(" and depth == 0 and k and head[k - 1].kind == "ident" and head[k - 1].text not in _NOT_NAMES:
            return k
    return None


def _function_name(head: list[Token], paren: int) -> tuple[str, int]:
    """The function's name and the index of its first token."""
    for k in range(paren - 1, max(paren - 5, -1), -1):
        if head[k].text == "operator":
            rest = [t.text for t in head[k + 1:paren]]
            if rest and head[k + 1].kind == "ident":
                return "operator " + " ".join(rest), k  # a conversion
            return "operator" + "".join(rest), k
    k = paren - 1
    if k >= 1 and head[k - 1].text == "~":
        return "~" + head[k].text, k - 1
    return head[k].text, k


def _params_end(head: list[Token], paren: int) -> int:
    depth = 0
    for k in range(paren, len(head)):
        depth += {"(": 1, ")": -1}.get(head[k].text, 0)
        if depth == 0:
            return k
    return len(head) - 1


def _brace_is_initializer(head: list[Token]) -> bool:
    """A `{` after a constructor's `: member` is that member's initializer, not the body."""
    p = _name_paren(head)
    if p is None:
        return False
    tail = [t.text for t in head[_params_end(head, p) + 1:]]
    return ":" in tail and head[-1].kind == "ident"


def _function(head, template, scope, path, line, specialization, soc) -> Decl | None:
    p = _name_paren(head)
    name, first = _function_name(head, p)
    if first >= 1 and head[first - 1].text == "::":
        return None  # an out-of-class definition of a member declared in its class
    if name.startswith("~") or specialization:
        return None  # destructors and explicit specializations
    words = [t.text for t in head]
    if words[-2:] in (["=", "delete"], ["=", "default"]):
        return None
    end = _params_end(head, p)
    tail = head[end + 1:]
    if ":" in [t.text for t in tail]:  # a constructor's member initializers
        tail = tail[:[t.text for t in tail].index(":")]
    shown = _simplify(head[:end + 1] + tail)
    return Decl("function", name, scope, path, line, text=join_tokens(shown), template=_simplify_template(template),
                soc=soc, aicore="__aicore__" in words)


def _other(head, template, scope, path, line, soc) -> Decl | None:
    words = [t.text for t in head]
    if words[0] == "using":
        if len(words) > 1 and words[1] == "namespace":
            return None
        if "=" in words:
            return Decl("alias", words[1], scope, path, line, text=join_tokens(_simplify(head)), template=template, soc=soc)
        return Decl("using", words[-1], scope, path, line, text=join_tokens(head), soc=soc)
    if words[0] == "typedef":
        idents = [t for t in head if t.kind == "ident"]
        return Decl("alias", idents[-1].text, scope, path, line, text=join_tokens(_simplify(head)), soc=soc)
    parts = _declarators(head)
    first = parts[0]
    cut = next((k for k, t in enumerate(first) if t.text in ("=", "{", "[", ":") and k), len(first))
    idents = [t for t in first[:cut] if t.kind == "ident"]
    if not idents:
        return None
    kind = "constant" if {"constexpr", "const"} & set(words[:cut]) else "variable"
    shown = [_declarator(first[:cut], first[cut:])]
    for part in parts[1:]:  # `uint32_t basicM = 0, basicN = 0;`: the type is the first one's
        k = next((n for n, t in enumerate(part) if t.text in ("=", "{", "[")), len(part))
        shown.append(_declarator(part[:k], part[k:]))
    return Decl(kind, idents[-1].text, scope, path, line, text=", ".join(shown), template=template, soc=soc)


def _declarators(head: list[Token]) -> list[list[Token]]:
    """A declaration's declarators, split at its top-level commas."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in head:
        if t.text in ("(", "[", "{", "<"):
            depth += 1
        elif t.text in (")", "]", "}", ">"):
            depth -= 1
        elif t.text == "," and depth == 0:
            parts.append([])
            continue
        parts[-1].append(t)
    return parts


def _declarator(name: list[Token], init: list[Token]) -> str:
    """`T name` with its initializer when that is short (a default worth showing, not a lambda)."""
    text = join_tokens(_simplify(name))
    if init and init[0].text in ("=", "{"):
        value = join_tokens(init[1:] if init[0].text == "=" else init)
        value_init = value.endswith("()") and text.startswith(value[:-2] + " ")  # `T x = T()`: says nothing
        if len(value) <= _SHORT_INIT and not value_init:
            text += f" = {value}" if init[0].text == "=" else value
    return text


_SHORT_INIT = 40  # characters: `= DEFAULT_REPEAT_STRIDE`, `= {CO2Layout::NZ}`, not a constexpr lambda


_DROP = {"inline", "__inline__", "extern"}


def _simplify(head: list[Token]) -> list[Token]:
    """What a reader of the reference needs: no qualifiers (__aicore__, inline), and opkit's
    ``detail::NoDeduce<T>`` (a T not deduced from that argument) shown as the T it is."""
    out: list[Token] = []
    k = 0
    while k < len(head):
        t = head[k]
        if t.text in _DROP or (t.kind == "ident" and t.text.startswith("__") and t.text.endswith("__")):
            k += 1
            continue
        if t.text == "detail" and [x.text for x in head[k + 1:k + 4]] == ["::", "NoDeduce", "<"]:
            depth, j = 1, k + 4
            while j < len(head) and depth:
                depth += {"<": 1, ">": -1}.get(head[j].text, 0)
                j += 1
            out.extend(head[k + 4:j - 1])
            k = j
            continue
        out.append(t)
        k += 1
    return out


def _simplify_template(template: str) -> str:
    """Without SFINAE parameters (``typename std::enable_if<...>::type = 0``): they say when an overload
    applies, not what a caller writes."""
    if "enable_if" not in template:
        return template
    parts, depth, cur = [], 0, ""
    for ch in template[len("template <"):-1]:
        depth += {"<": 1, ">": -1, "(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return "template <" + ", ".join(p for p in parts if "enable_if" not in p) + ">"
