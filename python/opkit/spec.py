"""Op specs in msopgen's JSON format: loading, validation, names and dtype columns.

A spec file holds one op object or a list of them. Every error names the file, the JSON path, the
value found and the fix, in the form ``<file>: <json path>: <what>, found <value>; <fix>``:
``ops/x.json: [0].input_desc[1].type[2]: not a dtype, found "fp61"; use one of float16, ...``.
Values are shown as they are written in the file (JSON), so they can be searched for there.

This module needs only the standard library: the build runs it (``python -m opkit.spec cmake``)
before opkit is installed.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# CMake runs this module as `python -m opkit.spec` with the source tree on PYTHONPATH, so the
# package's own modules import as usual (and none of them needs numpy or the compiled core).
from .errors import SpecError
from .names import (  # noqa: F401  re-exported: opkit.spec is where callers look
    _DTYPE_ALIASES,
    _GROUPS,
    ATTR_TYPES,
    DTYPES,
    FORMATS,
    PARAM_TYPES,
    DType,
    camel_case,
    dtype,
    dtype_name,
    snake_case,
)

_OP_KEYS = ("op", "language", "input_desc", "output_desc", "attr")


@dataclass
class Tensor:
    name: str
    param_type: str
    dtypes: list[DType]
    formats: list[str]


@dataclass
class Attr:
    name: str
    type: str
    required: bool
    default: Any = None


@dataclass
class OpSpec:
    op_type: str
    inputs: list[Tensor]
    outputs: list[Tensor]
    attrs: list[Attr] = field(default_factory=list)
    path: str = ""
    _name: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        # snake_case runs three regexes; ops are called in hot loops, so compute it once.
        if self._name is None or self._name[0] != self.op_type:
            self._name = (self.op_type, snake_case(self.op_type))
        return self._name[1]

    @property
    def tensors(self) -> list[Tensor]:
        return self.inputs + self.outputs

    @property
    def columns(self) -> list[dict[str, DType]]:
        """The supported dtype combinations: position i of every tensor's type list.

        An output named like an input is that input (a ref tensor) and has one entry.
        """
        n = len(self.inputs[0].dtypes) if self.inputs else len(self.outputs[0].dtypes)
        return [{t.name: t.dtypes[i] for t in self.tensors} for i in range(n)]

    def column_of(self, dtypes: dict[str, str]) -> int:
        for i, col in enumerate(self.columns):
            if all(col[k].name == v for k, v in dtypes.items()):
                return i
        raise KeyError(dtypes)


def _show(value: Any) -> str:
    """A value as written in the JSON file, shortened."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):  # pragma: no cover - json.loads only yields JSON values
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _known(values: Any, limit: int = 16) -> str:
    values = list(values)
    return ", ".join(values[:limit]) + (", ..." if len(values) > limit else "")


def _did_you_mean(value: Any, choices: Any, fuzzy: bool = True) -> str:
    """A suggestion for a misspelt keyword; dtypes and formats only get case fixes, since a near
    miss there ("fp61") is as likely to mean one dtype as another."""
    if not isinstance(value, str):
        return ""
    for c in choices:
        if c.lower() == value.lower():
            return f'did you mean "{c}"? '
    close = fuzzy and difflib.get_close_matches(value, list(choices), n=1, cutoff=0.75)
    return f'did you mean "{close[0]}"? ' if close else ""


class _Ctx:
    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, what: str, found: str, fix: str) -> SpecError:
        """``<file>: <json path>: <what>, found <value>; <fix>``; ``found`` is already rendered."""
        head = f"{self.path}: {where}" if where else self.path
        return SpecError(f"{head}: {what}, found {found}; {fix}")


def _check_name(ctx: _Ctx, where: str, value: Any, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ctx.fail(where, f"not a valid {what} name", _show(value),
                       "use letters, digits and '_', not starting with a digit (e.g. \"x\")")
    return value


def _require(ctx: _Ctx, where: str, obj: dict, key: str, example: str) -> Any:
    if key not in obj:
        raise ctx.fail(where, f'missing "{key}"', f"keys {_show(list(obj))}", f"add {example}")
    return obj[key]


def _as_list(ctx: _Ctx, where: str, value: Any, what: str, example: str) -> list:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not value:
        raise ctx.fail(where, f"expected a non-empty list of {what}", _show(value), f"write e.g. {example}")
    return value


def _dtypes(ctx: _Ctx, where: str, value: Any) -> list[DType]:
    out = []
    spellings = list(DTYPES) + list(_DTYPE_ALIASES)
    for i, t in enumerate(_as_list(ctx, where, value, "dtype names", '["float16", "float32"]')):
        here = f"{where}[{i}]"
        if isinstance(t, str) and t in _GROUPS:
            raise ctx.fail(here, "dtype groups are not supported (each column needs one dtype)", _show(t),
                           'list the dtypes explicitly, e.g. ["float16", "float32"], and repeat the '
                           "other tensors' types to match")
        try:
            out.append(dtype(t))
        except (KeyError, TypeError):
            hint = f"{_did_you_mean(t, spellings, fuzzy=False)}use one of {_known(spellings, 30)}"
            raise ctx.fail(here, "not a dtype", _show(t), hint) from None
    return out


def _formats(ctx: _Ctx, where: str, value: Any) -> list[str]:
    formats = _as_list(ctx, where, value, "formats", '["ND", "ND"]')
    for i, f in enumerate(formats):
        if f not in FORMATS:
            raise ctx.fail(f"{where}[{i}]", "not a format", _show(f),
                           f"{_did_you_mean(f, FORMATS, fuzzy=False)}use one of {_known(FORMATS)}")
    return list(formats)


def _tensor(ctx: _Ctx, where: str, obj: Any) -> Tensor:
    if not isinstance(obj, dict):
        raise ctx.fail(where, "expected a tensor object", _show(obj),
                       'write {"name": "x", "param_type": "required", "format": ["ND"], "type": ["float16"]}')
    name = _check_name(ctx, _at(where, "name"), _require(ctx, where, obj, "name", '"name": "x"'), "tensor")
    param_type = obj.get("param_type", "required")
    if param_type not in PARAM_TYPES:
        raise ctx.fail(_at(where, "param_type"), "not a param_type", _show(param_type),
                       f"{_did_you_mean(param_type, PARAM_TYPES)}use one of {', '.join(PARAM_TYPES)}")
    dtypes = _dtypes(ctx, _at(where, "type"), _require(ctx, where, obj, "type", '"type": ["float16"]'))
    formats = _formats(ctx, _at(where, "format"), obj.get("format", ["ND"]))
    return Tensor(name, param_type, dtypes, formats)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_dtype(v: Any) -> bool:
    try:
        dtype(v)
    except (KeyError, TypeError):
        return False
    return True


_SCALAR_CHECKS = {
    "int": _is_int,
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "type": _is_dtype,
    "data_type": _is_dtype,
}
_ATTR_EXAMPLES = {
    "int": "0", "float": "1.0", "bool": "false", "string": '"abc"', "type": '"float16"',
    "data_type": '"float16"', "list_int": "[1, 2]", "list_float": "[1.0, 0.5]", "list_bool": "[true]",
    "list_string": '["a", "b"]', "list_list_int": "[[1, 2], [3]]",
}


def _bad_default(kind: str, value: Any) -> tuple[str, str, Any] | None:
    """Where a default breaks its attr type: (json sub-path, expected kind, offending value), or None."""
    if kind in _SCALAR_CHECKS:
        return None if _SCALAR_CHECKS[kind](value) else ("", kind, value)
    if not isinstance(value, list):
        return "", kind, value
    inner = kind[len("list_"):]
    for i, v in enumerate(value):
        bad = _bad_default(inner, v)
        if bad:
            return f"[{i}]{bad[0]}", bad[1], bad[2]
    return None


def _numeric_string(kind: str, value: Any) -> Any:
    """msopgen reads a number written as a string ("0.0") for int/float attrs; so does opkit."""
    if kind not in ("int", "float") or not isinstance(value, str):
        return value
    try:
        return int(value) if kind == "int" else float(value)
    except ValueError:
        return value  # reported as a type error by the caller


def _attr(ctx: _Ctx, where: str, obj: Any) -> Attr:
    if not isinstance(obj, dict):
        raise ctx.fail(where, "expected an attr object", _show(obj),
                       'write {"name": "alpha", "param_type": "optional", "type": "float", '
                       '"default_value": 1.0}')
    name = _check_name(ctx, _at(where, "name"), _require(ctx, where, obj, "name", '"name": "alpha"'), "attr")
    kind = _require(ctx, where, obj, "type", '"type": "float"')
    if kind not in ATTR_TYPES:
        raise ctx.fail(_at(where, "type"), "not an attr type", _show(kind),
                       f"{_did_you_mean(kind, ATTR_TYPES)}use one of {', '.join(ATTR_TYPES)}")
    param_type = obj.get("param_type", "required")
    if param_type not in ("required", "optional"):
        raise ctx.fail(_at(where, "param_type"), "not an attr param_type", _show(param_type),
                       'use "required" or "optional"')
    default = obj.get("default_value")
    if default is None and param_type == "optional":
        raise ctx.fail(where, f'optional attr "{name}" has no default_value',
                       f"keys {_show(list(obj))}",
                       f'add "default_value": {_ATTR_EXAMPLES[kind]} (a {kind}) or make it "required"')
    default = _numeric_string(kind, default)
    # a required attr's default is never used, but a wrong one is still a mistake worth reporting
    bad = None if default is None else _bad_default(kind, default)
    if bad:
        sub, expected, value = bad
        expected = "a dtype name" if expected in ("type", "data_type") else expected
        raise ctx.fail(f"{_at(where, 'default_value')}{sub}",
                       f"expected {expected} (the attr type is {kind})", _show(value),
                       f"write a default like {_ATTR_EXAMPLES[kind]}")
    return Attr(name, kind, param_type == "required", default)


def _op_type(ctx: _Ctx, where: str, obj: dict) -> str:
    op_type = _require(ctx, where, obj, "op", '"op": "AddCustom" (the UpperCamelCase op type)')
    if not isinstance(op_type, str) or not re.fullmatch(r"[A-Z][A-Za-z0-9]*", op_type):
        hint = ""
        if isinstance(op_type, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", op_type):
            fixed = "".join(p[:1].upper() + p[1:] for p in op_type.split("_"))
            hint = f'did you mean "{fixed}"? '
        raise ctx.fail(_at(where, "op"), "not an UpperCamelCase op type", _show(op_type),
                       f'{hint}op types look like "AddCustom" (letters and digits, first one uppercase)')
    return op_type


def _op(ctx: _Ctx, where: str, obj: Any) -> OpSpec:
    if not isinstance(obj, dict):
        raise ctx.fail(where, "expected an op object", _show(obj),
                       'write {"op": "AddCustom", "input_desc": [...], "output_desc": [...]}')
    op_type = _op_type(ctx, where, obj)
    for key in obj:  # msopgen ignores unknown keys; a misspelt input_desc would silently vanish
        close = difflib.get_close_matches(key, _OP_KEYS, n=1, cutoff=0.75)
        if key not in _OP_KEYS and close:
            raise ctx.fail(_at(where, key), "unknown key", _show(key), f'did you mean "{close[0]}"?')
    lists = {}
    for key in ("input_desc", "output_desc", "attr"):
        value = obj.get(key, [])
        if not isinstance(value, list):
            raise ctx.fail(_at(where, key), "expected a list", _show(value),
                           f'write "{key}": [{{...}}, ...] even for a single entry')
        lists[key] = value
    if not lists["output_desc"]:
        found = _show(obj["output_desc"]) if "output_desc" in obj else f"keys {_show(list(obj))}"
        raise ctx.fail(_at(where, "output_desc"), "an op needs at least one output", found,
                       'add "output_desc": [{"name": "y", "type": [...]}]')
    inputs, outputs, attrs = ([parse(ctx, f"{_at(where, key)}[{i}]", x) for i, x in enumerate(lists[key])]
                              for key, parse in (("input_desc", _tensor), ("output_desc", _tensor),
                                                 ("attr", _attr)))
    _check_unique(ctx, where, inputs, outputs, attrs)
    _broadcast_columns(ctx, where, inputs, outputs)
    _check_refs(ctx, where, inputs, outputs)
    return OpSpec(op_type, inputs, outputs, attrs, ctx.path)


def _check_unique(ctx: _Ctx, where: str, inputs: list[Tensor], outputs: list[Tensor],
                  attrs: list[Attr]) -> None:
    """Names are unique per list. An output may share an input's name (CANN makes it one ref tensor),
    but an attr may not share a tensor's: they become parameters of the same aclnn/Python call."""
    for kind, items in (("input_desc", inputs), ("output_desc", outputs), ("attr", attrs)):
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.name in seen:
                raise ctx.fail(f"{_at(where, kind)}[{i}].name", "duplicate name", _show(item.name),
                               f"{kind}[{seen[item.name]}] already uses it; rename one")
            seen[item.name] = i
    tensors = {camel_case(t.name): (k, i) for k, ts in (("output_desc", outputs), ("input_desc", inputs))
               for i, t in enumerate(ts)}
    for i, a in enumerate(attrs):
        if camel_case(a.name) in tensors:
            kind, j = tensors[camel_case(a.name)]
            raise ctx.fail(f"{_at(where, 'attr')}[{i}].name", f"attr name clashes with {kind}[{j}]",
                           _show(a.name), "attrs and tensors are parameters of one call; rename the attr")


def _broadcast_columns(ctx: _Ctx, where: str, inputs: list[Tensor], outputs: list[Tensor]) -> None:
    """Apply the column rule: 1-element lists broadcast, other lengths must all agree."""
    tensors = [(f"{_at(where, 'input_desc')}[{i}]", t) for i, t in enumerate(inputs)] + \
              [(f"{_at(where, 'output_desc')}[{i}]", t) for i, t in enumerate(outputs)]
    lists = [(f"{label}.{key}", values) for label, t in tensors
             for key, values in (("type", [d.name for d in t.dtypes]), ("format", t.formats))]
    # the common length is the most frequent one besides 1, so the message points at the odd list out
    lengths = Counter(len(values) for _, values in lists if len(values) != 1)
    n = max(lengths, key=lambda k: (lengths[k], k)) if lengths else 1
    first = next((label for label, values in lists if len(values) == n), "")
    for label, values in lists:
        if len(values) not in (1, n):
            raise ctx.fail(label, f"list of {len(values)} entries where {first} has {n}", _show(values),
                           "position i of every type/format list forms one supported combination, so "
                           f"give {n} entries (or 1, which is repeated)")
    for _, t in tensors:
        t.dtypes = t.dtypes * n if len(t.dtypes) == 1 else t.dtypes
        t.formats = t.formats * n if len(t.formats) == 1 else t.formats


def _check_refs(ctx: _Ctx, where: str, inputs: list[Tensor], outputs: list[Tensor]) -> None:
    """An output named like an input is the same tensor (aclnn's ``<name>Ref``): its columns must agree."""
    by_name = {t.name: i for i, t in enumerate(inputs)}
    for j, out in enumerate(outputs):
        if out.name not in by_name:
            continue
        i = by_name[out.name]
        for key, mine, theirs in (("type", [d.name for d in out.dtypes], [d.name for d in inputs[i].dtypes]),
                                  ("format", out.formats, inputs[i].formats)):
            if mine != theirs:
                raise ctx.fail(f"{_at(where, 'output_desc')}[{j}].{key}",
                               f'output "{out.name}" is input_desc[{i}] updated in place (a ref tensor) but '
                               f"its {key} list differs from the input's {_show(theirs)}", _show(mine),
                               f"give both the same {key} list, or rename the output")


def load(path: str | Path, op: str | None = None) -> list[OpSpec]:
    """Load and validate a spec file; ``op`` picks one op by type or snake_case name.

    >>> [s.op_type for s in load("ops/add_custom.json")]  # doctest: +SKIP
    ['AddCustom']
    """
    path = Path(path)
    ctx = _Ctx(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: editors on Windows add a BOM
    except OSError as e:
        raise SpecError(f"{path}: cannot read the spec, found {e.strerror}; check the path") from None
    except UnicodeDecodeError as e:
        raise SpecError(f"{path}: not UTF-8 text, found byte 0x{e.object[e.start]:02x} at offset "
                        f"{e.start}; save the spec as UTF-8") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise SpecError(f"{path}: nested too deeply to be a spec (JSON arrays/objects inside each other more "
                        f"than {sys.getrecursionlimit()} levels); a spec is a list of flat op objects") from None
    except json.JSONDecodeError as e:
        near = text[e.pos:e.pos + 20].split("\n")[0] or "end of file"
        raise SpecError(f"{path}:{e.lineno}:{e.colno}: not valid JSON ({e.msg}), found {near!r}; "
                        'a spec is a JSON list of op objects: [{"op": "AddCustom", ...}]') from None
    if isinstance(data, dict):
        specs = [_op(ctx, "", data)]
    elif isinstance(data, list):
        if not data:
            raise ctx.fail("", "the spec has no op", "[]", 'add an op object: [{"op": "AddCustom", ...}]')
        specs = [_op(ctx, f"[{i}]", o) for i, o in enumerate(data)]
    else:
        raise ctx.fail("", "expected a list of op objects (or one object)", _show(data),
                       'write [{"op": "AddCustom", "input_desc": [...], "output_desc": [...]}]')
    seen: dict[str, int] = {}
    for i, s in enumerate(specs):
        if s.name in seen:  # same file names, so a clash even when only the case differs
            raise ctx.fail(f"[{i}].op", f"op defined twice (also at [{seen[s.name]}], file names "
                           f"{s.name}.*)", _show(s.op_type), "keep one definition or rename one op")
        seen[s.name] = i
    if op is not None:
        chosen = [s for s in specs if op in (s.op_type, s.name)]
        if not chosen:
            found = ", ".join(s.op_type for s in specs)
            raise SpecError(f"{path}: no op {_show(op)} in the spec, found {found}; "
                            "pick one of those (op type or its snake_case name)")
        return chosen
    return specs


def _cmake(path: str) -> str:
    """CMake assignments describing every op of a spec file, for cmake/OpkitOps.cmake."""
    out = []
    specs = load(path)
    out.append(f"set(OPKIT_SPEC_OPS {';'.join(s.op_type for s in specs)})")
    for s in specs:
        p = f"OPKIT_OP_{s.op_type}"
        out.append(f"set({p}_NAME {s.name})")
        out.append(f"set({p}_NCOLUMNS {len(s.columns)})")
        for i, col in enumerate(s.columns):
            defs = [f"DTYPE_{n.upper()}={d.ctype}" for n, d in col.items()]
            defs += [f"ORIG_DTYPE_{n.upper()}={d.ge}" for n, d in col.items()]
            out.append(f"set({p}_COLUMN{i} {';'.join(defs)})")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "cmake":
        print("usage: python -m opkit.spec cmake SPEC.json", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(_cmake(argv[1]))
    except SpecError as e:
        print(f"opkit: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
