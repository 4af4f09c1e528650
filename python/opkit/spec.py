"""Op specs in msopgen's JSON format: loading, validation, names and dtype columns.

A spec file holds one op object or a list of them. Every error names the file, the JSON path, the
value found and the fix, e.g.
``ops/x.json: input_desc[1].type[2]: 'fp61' is not a dtype (known: float16, float32, ...)``.

This module needs only the standard library: the build runs it (``python -m opkit.spec cmake``)
before opkit is installed.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # the build imports this file before the package (and its errors module) is installed
    from .errors import SpecError
except ImportError:  # pragma: no cover - only when run as a plain script by CMake
    class SpecError(ValueError):  # type: ignore[no-redef]
        pass


@dataclass(frozen=True)
class DType:
    name: str  # numpy-style canonical name
    ctype: str  # the C type a kernel sees through DTYPE_<NAME>
    ge: str  # ge::DataType enumerator
    acl: str  # aclDataType enumerator


_DTYPES = [
    DType("float16", "half", "DT_FLOAT16", "ACL_FLOAT16"),
    DType("float32", "float", "DT_FLOAT", "ACL_FLOAT"),
    DType("bfloat16", "bfloat16_t", "DT_BF16", "ACL_BF16"),
    DType("float64", "double", "DT_DOUBLE", "ACL_DOUBLE"),
    DType("int8", "int8_t", "DT_INT8", "ACL_INT8"),
    DType("int16", "int16_t", "DT_INT16", "ACL_INT16"),
    DType("int32", "int32_t", "DT_INT32", "ACL_INT32"),
    DType("int64", "int64_t", "DT_INT64", "ACL_INT64"),
    DType("uint8", "uint8_t", "DT_UINT8", "ACL_UINT8"),
    DType("uint16", "uint16_t", "DT_UINT16", "ACL_UINT16"),
    DType("uint32", "uint32_t", "DT_UINT32", "ACL_UINT32"),
    DType("uint64", "uint64_t", "DT_UINT64", "ACL_UINT64"),
    DType("bool", "bool", "DT_BOOL", "ACL_BOOL"),
]
DTYPES: dict[str, DType] = {d.name: d for d in _DTYPES}
_DTYPE_ALIASES = {
    "fp16": "float16", "half": "float16", "float": "float32", "fp32": "float32", "bf16": "bfloat16",
    "double": "float64", "fp64": "float64",
}
_GROUPS = {"numbertype", "realnumbertype", "all", "quantizedtype", "basictype", "indexnumbertype"}
FORMATS = ("ND", "NCHW", "NHWC", "NC1HWC0", "FRACTAL_Z", "FRACTAL_NZ", "NDHWC", "NCDHW", "HWCN", "CHWN")
PARAM_TYPES = ("required", "optional", "dynamic")
ATTR_TYPES = ("int", "float", "string", "bool", "type", "list_int", "list_float", "list_bool",
              "list_string", "list_list_int", "data_type")


def dtype(name: str) -> DType:
    """Resolve a dtype spelling (``fp16``, ``half``, ``float16`` ...) to opkit's record.

    >>> dtype("fp16").ctype
    'half'
    """
    key = _DTYPE_ALIASES.get(name, name)
    if key not in DTYPES:
        raise KeyError(name)
    return DTYPES[key]


def snake_case(op_type: str) -> str:
    """The file and kernel name of an op type, by msopgen's rule.

    >>> snake_case("AddCustom"), snake_case("MatmulLeakyreluCustom"), snake_case("AbcAAc")
    ('add_custom', 'matmul_leakyrelu_custom', 'abc_a_ac')
    """
    s = op_type[:1].lower() + op_type[1:]
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", s)
    s = re.sub(r"(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1", s)
    return s.lower()


def camel_case(name: str) -> str:
    """``negative_slope`` -> ``negativeSlope`` (aclnn parameter names)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


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

    @property
    def name(self) -> str:
        return snake_case(self.op_type)

    @property
    def tensors(self) -> list[Tensor]:
        return self.inputs + self.outputs

    @property
    def columns(self) -> list[dict[str, DType]]:
        """The supported dtype combinations: position i of every tensor's type list."""
        n = len(self.inputs[0].dtypes) if self.inputs else len(self.outputs[0].dtypes)
        return [{t.name: t.dtypes[i] for t in self.tensors} for i in range(n)]

    def column_of(self, dtypes: dict[str, str]) -> int:
        for i, col in enumerate(self.columns):
            if all(col[k].name == v for k, v in dtypes.items()):
                return i
        raise KeyError(dtypes)


class _Ctx:
    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, msg: str) -> SpecError:
        return SpecError(f"{self.path}: {where}: {msg}" if where else f"{self.path}: {msg}")


def _check_name(ctx: _Ctx, where: str, value: Any, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ctx.fail(where, f"{value!r} is not a valid {what} name (letters, digits and '_', "
                              "not starting with a digit)")
    return value


def _tensor(ctx: _Ctx, where: str, obj: Any) -> Tensor:
    if not isinstance(obj, dict):
        raise ctx.fail(where, f"expected an object with name, param_type, format, type; found {obj!r}")
    for key in ("name", "type"):
        if key not in obj:
            raise ctx.fail(where, f"missing '{key}'")
    name = _check_name(ctx, f"{where}.name", obj["name"], "tensor")
    param_type = obj.get("param_type", "required")
    if param_type not in PARAM_TYPES:
        raise ctx.fail(f"{where}.param_type", f"{param_type!r} is not one of {', '.join(PARAM_TYPES)}")
    types = obj["type"]
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not types:
        raise ctx.fail(f"{where}.type", f"expected a non-empty list of dtype names; found {obj['type']!r}")
    dtypes = []
    for i, t in enumerate(types):
        if isinstance(t, str) and t in _GROUPS:
            raise ctx.fail(f"{where}.type[{i}]", f"dtype group {t!r} is not supported; list the dtypes "
                                                 "explicitly (e.g. \"float16\", \"float32\")")
        try:
            dtypes.append(dtype(t))
        except (KeyError, TypeError):
            raise ctx.fail(f"{where}.type[{i}]", f"{t!r} is not a dtype (known: "
                                                 f"{', '.join(DTYPES)})") from None
    formats = obj.get("format", ["ND"])
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not formats:
        raise ctx.fail(f"{where}.format", f"expected a non-empty list of formats; found {obj.get('format')!r}")
    for i, f in enumerate(formats):
        if f not in FORMATS:
            raise ctx.fail(f"{where}.format[{i}]", f"{f!r} is not a format (known: {', '.join(FORMATS)})")
    return Tensor(name, param_type, dtypes, list(formats))


_ATTR_CHECKS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "type": lambda v: isinstance(v, str),
    "data_type": lambda v: isinstance(v, str),
    "list_int": lambda v: isinstance(v, list) and all(_ATTR_CHECKS["int"](x) for x in v),
    "list_float": lambda v: isinstance(v, list) and all(_ATTR_CHECKS["float"](x) for x in v),
    "list_bool": lambda v: isinstance(v, list) and all(isinstance(x, bool) for x in v),
    "list_string": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "list_list_int": lambda v: isinstance(v, list) and all(_ATTR_CHECKS["list_int"](x) for x in v),
}


def _attr(ctx: _Ctx, where: str, obj: Any) -> Attr:
    if not isinstance(obj, dict):
        raise ctx.fail(where, f"expected an object with name, param_type, type, default_value; found {obj!r}")
    if "name" not in obj:
        raise ctx.fail(where, "missing 'name'")
    name = _check_name(ctx, f"{where}.name", obj["name"], "attr")
    kind = obj.get("type")
    if kind not in ATTR_TYPES:
        raise ctx.fail(f"{where}.type", f"{kind!r} is not an attr type (known: {', '.join(ATTR_TYPES)})")
    param_type = obj.get("param_type", "required")
    if param_type not in ("required", "optional"):
        raise ctx.fail(f"{where}.param_type", f"{param_type!r} is not 'required' or 'optional'")
    default = obj.get("default_value")
    if param_type == "optional":
        if default is None:
            raise ctx.fail(where, f"optional attr {name!r} needs a default_value of type {kind}")
        if not _ATTR_CHECKS[kind](default):
            raise ctx.fail(f"{where}.default_value", f"{default!r} is not a {kind}")
    return Attr(name, kind, param_type == "required", default)


def _op(ctx: _Ctx, where: str, obj: Any) -> OpSpec:
    if not isinstance(obj, dict):
        raise ctx.fail(where, f"expected an op object; found {type(obj).__name__}")
    if "op" not in obj:
        raise ctx.fail(where, "missing 'op' (the UpperCamelCase op type, e.g. \"AddCustom\")")
    op_type = obj["op"]
    if not isinstance(op_type, str) or not re.fullmatch(r"[A-Z][A-Za-z0-9]*", op_type):
        raise ctx.fail(f"{where}.op", f"{op_type!r} is not an UpperCamelCase op type (e.g. \"AddCustom\")")
    lists = {}
    for key in ("input_desc", "output_desc", "attr"):
        value = obj.get(key, [])
        if not isinstance(value, list):
            raise ctx.fail(f"{where}.{key}", f"expected a list; found {type(value).__name__}")
        lists[key] = value
    if not lists["output_desc"]:
        raise ctx.fail(f"{where}.output_desc", "an op needs at least one output")
    inputs = [_tensor(ctx, f"{where}.input_desc[{i}]", t) for i, t in enumerate(lists["input_desc"])]
    outputs = [_tensor(ctx, f"{where}.output_desc[{i}]", t) for i, t in enumerate(lists["output_desc"])]
    attrs = [_attr(ctx, f"{where}.attr[{i}]", a) for i, a in enumerate(lists["attr"])]
    _check_unique(ctx, where, inputs, outputs, attrs)
    _broadcast_columns(ctx, where, inputs, outputs)
    return OpSpec(op_type, inputs, outputs, attrs, ctx.path)


def _check_unique(ctx: _Ctx, where: str, inputs: list[Tensor], outputs: list[Tensor], attrs: list[Attr]) -> None:
    for kind, items in (("input_desc", inputs), ("output_desc", outputs), ("attr", attrs)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise ctx.fail(f"{where}.{kind}[{i}].name", f"{item.name!r} is used twice")
            seen.add(item.name)


def _broadcast_columns(ctx: _Ctx, where: str, inputs: list[Tensor], outputs: list[Tensor]) -> None:
    """Apply the column rule: 1-element lists broadcast, other lengths must all agree."""
    tensors = [(f"input_desc[{i}]", t) for i, t in enumerate(inputs)] + \
              [(f"output_desc[{i}]", t) for i, t in enumerate(outputs)]
    lengths = {len(t.dtypes) for _, t in tensors} | {len(t.formats) for _, t in tensors}
    n = max(lengths)
    for label, t in tensors:
        for key, values in (("type", t.dtypes), ("format", t.formats)):
            if len(values) not in (1, n):
                raise ctx.fail(f"{where}.{label}.{key}", f"has {len(values)} entries but other lists have {n}; "
                                                         "position i of every type/format list forms one "
                                                         "supported combination, so the lengths must match "
                                                         "(or be 1)")
        if len(t.dtypes) == 1:
            t.dtypes = t.dtypes * n
        if len(t.formats) == 1:
            t.formats = t.formats * n


def load(path: str | Path, op: str | None = None) -> list[OpSpec]:
    """Load and validate a spec file; ``op`` picks one op type from a multi-op file.

    >>> [s.op_type for s in load(Path(__file__).parent / "ops" / "add_custom.json")]  # doctest: +SKIP
    ['AddCustom']
    """
    path = Path(path)
    ctx = _Ctx(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError(f"{path}: cannot read the spec: {e.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    if isinstance(data, dict):
        specs = [_op(ctx, "", data)]
    elif isinstance(data, list):
        if not data:
            raise ctx.fail("", "the spec is an empty list; it needs at least one op object")
        specs = [_op(ctx, f"[{i}]", o) for i, o in enumerate(data)]
    else:
        raise ctx.fail("", f"expected a list of op objects (or one object); found {type(data).__name__}")
    seen: dict[str, int] = {}
    for i, s in enumerate(specs):
        if s.op_type in seen:
            raise ctx.fail(f"[{i}].op", f"{s.op_type!r} is defined twice (also at [{seen[s.op_type]}])")
        seen[s.op_type] = i
    if op is not None:
        chosen = [s for s in specs if s.op_type == op or s.name == op]
        if not chosen:
            raise SpecError(f"{path}: no op {op!r} (found: {', '.join(s.op_type for s in specs)})")
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
