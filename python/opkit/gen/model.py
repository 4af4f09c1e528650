"""What the generator needs to know about one op, derived once from its validated spec.

The templates (host.py, kernel.py, testfile.py) only format; every decision about names, the
elementwise case and attrs is made here, so the op_host, op_kernel and test files agree.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError
from ..spec import Attr, OpSpec, Tensor, camel_case
from . import kinds

# Fields of the elementwise tiling struct (Note [Elementwise split] in op_host/elementwise_tiling.h).
SPLIT_FIELDS = ("totalLength", "formerNum", "formerLength", "tailLength", "tileLength")

# Names a tensor cannot take: they are C++ keywords or the generated kernel entry's own parameters
# and locals (workspace, tiling, tilingData, op).
_RESERVED = frozenset((
    "alignas", "alignof", "and", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "class", "compl", "const", "constexpr", "const_cast", "continue", "decltype", "default",
    "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
    "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new",
    "noexcept", "not", "nullptr", "operator", "or", "private", "protected", "public", "register",
    "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
    "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "half",
    "workspace", "tiling", "tilingData", "op", "GM_ADDR",
    # names the generated kernel and host code use themselves
    "in", "T", "Tiling", "stream_", "pipe_",
))

# C library functions an extern "C" kernel entry named like them would collide with (an op type
# such as Exp snake-cases to `exp`).
_LIBC = frozenset((
    "abs", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "sin", "cos", "tan",
    "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "pow", "floor", "ceil",
    "round", "trunc", "fabs", "fmod", "fmax", "fmin", "erf", "erfc", "hypot", "ldexp", "frexp", "modf",
    "rint", "lround", "nearbyint", "remainder", "copysign", "div", "rand", "free", "malloc", "exit", "abort",
    "printf", "puts", "signal", "time", "clock", "select", "read", "write", "open", "close", "sleep",
))


@dataclass(frozen=True)
class ScalarAttr:
    """A scalar attr carried in the tiling struct: read on the host, a field for the kernel."""

    attr: Attr
    index: int  # position among the attrs registered in the OpDef (GetAttrs()->Get*(index))
    getter: str  # RuntimeAttrs getter: GetInt, GetFloat, GetBool
    host_type: str  # what the getter points to
    field_type: str  # the tiling field's type (CANN tiling fields are integers or float)
    kernel_type: str  # the kernel member's type

    @property
    def member(self) -> str:
        return camel_case(self.attr.name) + "_"


# attr type -> (OpDef builder method, C++ element literal kind); None: opkit's host API lacks it.
_OPDEF_ATTR = {
    "int": "Int", "float": "Float", "bool": "Bool", "string": "String",
    "list_int": "ListInt", "list_float": "ListFloat", "list_bool": "ListBool",
}
_SCALARS = {  # attr type -> (getter, host type, tiling field type, kernel type)
    "int": ("GetInt", "int64_t", "int64_t", "int64_t"),
    "float": ("GetFloat", "float", "float", "float"),
    "bool": ("GetBool", "bool", "uint8_t", "bool"),
}


def cpp_literal(kind: str, value: Any) -> str:
    """A default value as a C++ literal for an OpDef builder call.

    >>> cpp_literal("float", 1), cpp_literal("list_int", [1, -2]), cpp_literal("bool", True)
    ('1.0f', '{1, -2}', 'true')
    >>> cpp_literal("string", 'a"b')
    '"a\\\\"b"'
    """
    if kind.startswith("list_"):
        return "{" + ", ".join(cpp_literal(kind[len("list_"):], v) for v in value) + "}"
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        return str(int(value))
    if kind == "float":
        v = float(value)
        if math.isnan(v):
            return "NAN"
        if math.isinf(v):
            return "INFINITY" if v > 0 else "-INFINITY"
        return repr(v) + "f"  # a float's repr always has a '.' or an exponent
    return json.dumps(str(value))  # JSON string escapes are valid C++ string-literal escapes


@dataclass
class OpModel:
    """One op of the project, with every name and choice the generated files share.

    >>> from opkit.spec import load
    >>> m = OpModel(load("ops/addcdiv_custom.json")[0])  # doctest: +SKIP
    >>> m.kind, m.kernel_params  # doctest: +SKIP
    ('elementwise', ['x', 'y', 'z', 'out'])
    """

    spec: OpSpec
    requested_kind: str | None = None  # --kind; None: inferred (Note [Gen kinds] in gen/kinds.py)
    choice: kinds.Choice = field(init=False)

    def __post_init__(self) -> None:
        self.choice = kinds.choose(self.spec, self.requested_kind)
        if self.spec.name in _LIBC:
            raise SpecError(f"{self.spec.path}: {self.spec.op_type}: its kernel entry `{self.spec.name}` would clash "
                            "with the C library function of that name; name the op like CANN's custom ops, e.g. "
                            f"\"{self.spec.op_type}Custom\"")
        for a in self.spec.attrs:
            if a.name in _RESERVED:
                raise SpecError(f"{self.spec.path}: {self.spec.op_type}: attr name \"{a.name}\" is a C++ keyword or a "
                                "name the generated code uses; rename the attr in the spec")
        for t in self.spec.tensors:
            if t.name in _RESERVED:
                raise SpecError(f"{self.spec.path}: {self.spec.op_type}: tensor name \"{t.name}\" is a C++ keyword "
                                "or a parameter of the generated kernel entry (workspace, tiling); rename the "
                                "tensor in the spec")
        fields = {"elementwise": SPLIT_FIELDS, "custom": ("totalLength",), "matmul": kinds.MATMUL_FIELDS}.get(
            self.kind, kinds.ROW_FIELDS)
        for a in self.scalar_attrs:
            if a.attr.name in fields:
                raise SpecError(f"{self.spec.path}: {self.spec.op_type}: attr \"{a.attr.name}\" clashes "
                                f"with the {self.kind} tiling field of that name ({', '.join(fields)}); "
                                "rename the attr")

    # ---- names ------------------------------------------------------------------------------------
    @property
    def op_type(self) -> str:
        return self.spec.op_type

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def tiling_class(self) -> str:
        return f"{self.op_type}TilingData"

    @property
    def kernel_class(self) -> str:
        return f"Kernel{self.op_type}"

    def output_param(self, t: Tensor) -> str:
        """An output named like an input is a ref tensor: its kernel parameter gets ``_ref``."""
        return f"{t.name}_ref" if t.name in {i.name for i in self.spec.inputs} else t.name

    @property
    def kernel_params(self) -> list[str]:
        """The kernel entry's tensor parameters: inputs, then outputs (before workspace, tiling)."""
        return [t.name for t in self.spec.inputs] + [self.output_param(t) for t in self.spec.outputs]

    @staticmethod
    def local(name: str) -> str:
        """The UB tile variable of a tensor in the generated compute (``x`` -> ``xLocal``)."""
        return camel_case(name) + "Local"

    # ---- the kind -------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """The template: one of gen.kinds.KINDS (Note [Gen kinds])."""
        return self.choice.kind

    @property
    def elementwise(self) -> bool:
        """The op streams with opkit's ElementwiseStream (op_kernel/elementwise.h): complete kernel and
        tiling, only the per-tile compute left to write."""
        return self.kind == "elementwise"

    @property
    def complete(self) -> bool:
        """Every kind but custom gets a complete kernel and tiling with one compute block to write."""
        return self.kind != "custom"

    @property
    def axes(self) -> tuple[int, bool]:
        """reduce: the axes attr's index among the registered attrs, and whether it is a list."""
        a = kinds.axes_attr(self.spec)
        return self.registered_attrs.index(a), a.type == "list_int"

    @property
    def keep_dims_index(self) -> int:
        """reduce: the keep_dims attr's index among the registered attrs (-1: none)."""
        a = kinds.keep_dims_attr(self.spec)
        return -1 if a is None else self.registered_attrs.index(a)

    @property
    def bias(self) -> Tensor | None:
        """matmul: the bias input (the third), if the spec has one."""
        return self.spec.inputs[2] if len(self.spec.inputs) == 3 else None

    @property
    def transpose(self) -> ScalarAttr | None:
        """matmul: the bool attr saying w is [N, K], as the kernel and tiling carry it."""
        a = kinds.transpose_attr(self.spec)
        return next((s for s in self.scalar_attrs if s.attr is a), None)

    @property
    def dtype_names(self) -> list[str]:
        """The dtypes of the elementwise op, one per column (``['float16', 'float32']``)."""
        return [next(iter(col.values())).name for col in self.spec.columns]

    # ---- attrs ---------------------------------------------------------------------------------------
    @property
    def registered_attrs(self) -> list[Attr]:
        """Attrs the OpDef registers (opkit's host API lacks list_string, list_list_int and type)."""
        return [a for a in self.spec.attrs if a.type in _OPDEF_ATTR]

    @property
    def unsupported_attrs(self) -> list[Attr]:
        return [a for a in self.spec.attrs if a.type not in _OPDEF_ATTR]

    @property
    def scalar_attrs(self) -> list[ScalarAttr]:
        out = []
        for i, a in enumerate(self.registered_attrs):
            if a.type in _SCALARS:
                out.append(ScalarAttr(a, i, *_SCALARS[a.type]))
        return out

    def attr_builder(self, a: Attr) -> str:
        """``this->Attr(...)`` registration of one attr (a comment when opkit cannot register it)."""
        kind = "REQUIRED" if a.required else "OPTIONAL"
        if a.type not in _OPDEF_ATTR:
            return (f"// OPKIT: a {a.type} attr is not in opkit's host API yet, so \"{a.name}\" is not registered\n"
                    f'// this->Attr("{a.name}").AttrType({kind});')
        method = _OPDEF_ATTR[a.type]
        value = "" if a.required or a.default is None else cpp_literal(a.type, a.default)
        return f'this->Attr("{a.name}").AttrType({kind}).{method}({value});'

    def warnings(self) -> list[str]:
        return [f"{self.op_type}: attr '{a.name}' has type {a.type}, which opkit's host API cannot register "
                "yet; it is left commented out in op_host/" + self.name + ".cpp" for a in self.unsupported_attrs]

    # ---- dtype inference ---------------------------------------------------------------------------
    def infer_dtype_source(self, out: Tensor) -> tuple[str, Any]:
        """How InferDataType sets an output's dtype.

        ("input", i): same as input i in every column; ("const", ge): one dtype in every column;
        ("table", [(input 0 ge, output ge), ...]): input 0's dtype decides it; ("first", ge): none
        of these, the first column's dtype with a note to fix it.
        """
        names = [d.name for d in out.dtypes]
        for i, t in enumerate(self.spec.inputs):
            if [d.name for d in t.dtypes] == names:
                return "input", i
        if len(set(names)) == 1:
            return "const", out.dtypes[0].ge
        if self.spec.inputs:
            pairs = {}
            for src, dst in zip(self.spec.inputs[0].dtypes, out.dtypes):
                if pairs.setdefault(src.ge, dst.ge) != dst.ge:
                    break
            else:
                return "table", list(pairs.items())
        return "first", out.dtypes[0].ge
