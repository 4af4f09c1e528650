"""Names and dtypes of op specs: the dtype table (numpy, C, ge and acl spellings), formats, param and
attr types, and the snake_case / camelCase rules msopgen and aclnn use.

Standard library only, like opkit.spec, which re-exports everything here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class DType:
    name: str  # numpy-style canonical name
    ctype: str  # the C type a kernel sees through DTYPE_<NAME>
    ge: str  # ge::DataType enumerator
    acl: str  # aclDataType enumerator
    acl_code: int  # its value (acl/acl.h), what aclCreateTensor takes


_DTYPES = [
    DType("float16", "half", "DT_FLOAT16", "ACL_FLOAT16", 1),
    DType("float32", "float", "DT_FLOAT", "ACL_FLOAT", 0),
    DType("bfloat16", "bfloat16_t", "DT_BF16", "ACL_BF16", 27),
    DType("float64", "double", "DT_DOUBLE", "ACL_DOUBLE", 11),
    DType("int8", "int8_t", "DT_INT8", "ACL_INT8", 2),
    DType("int16", "int16_t", "DT_INT16", "ACL_INT16", 6),
    DType("int32", "int32_t", "DT_INT32", "ACL_INT32", 3),
    DType("int64", "int64_t", "DT_INT64", "ACL_INT64", 9),
    DType("uint8", "uint8_t", "DT_UINT8", "ACL_UINT8", 4),
    DType("uint16", "uint16_t", "DT_UINT16", "ACL_UINT16", 7),
    DType("uint32", "uint32_t", "DT_UINT32", "ACL_UINT32", 8),
    DType("uint64", "uint64_t", "DT_UINT64", "ACL_UINT64", 10),
    DType("bool", "bool", "DT_BOOL", "ACL_BOOL", 12),
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


_NP_NAMES: dict = {}


def dtype_name(np_dtype: object) -> str:
    """numpy's name of a dtype (``float16``, ``bfloat16``), cached: ``str(dtype)`` is slow in hot calls.

    >>> import numpy as np; dtype_name(np.dtype("float16"))
    'float16'
    """
    name = _NP_NAMES.get(np_dtype)
    if name is None:
        name = _NP_NAMES[np_dtype] = str(np_dtype)
    return name


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
    """``negative_slope`` -> ``negativeSlope`` (aclnn parameter names).

    >>> camel_case("negative_slope")
    'negativeSlope'
    """
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
