"""op_host files of a generated project: the tiling struct header and the OpDef/TilingFunc source.

Every kind but custom (Note [Gen kinds] in gen/kinds.py) gets a complete TilingFunc and InferShape,
each a call into opkit's op_host header of the kind (elementwise_tiling.h, rows_tiling.h,
reduce_tiling.h, broadcast_tiling.h); a custom op gets a skeleton whose TilingFunc fails loudly at its
``OPKIT: TILING`` mark until written.
"""

from __future__ import annotations

from .model import SPLIT_FIELDS, OpModel

MARK_BEGIN = "// ===== OPKIT: {what} (edit here) " + "=" * 40
MARK_END = "// ===== end OPKIT: {what} " + "=" * 48


# The tiling fields of each kind beyond the split (Note [Row split] in op_host/rows_tiling.h).
_ROW_FIELDS = {
    "rownorm": ["cols", "scratchRows"],
    "reduce": ["outer", "reduceLen", "inner", "chunk", "loadRows"],
    "broadcast": ["cols", "ndim", "outDims[8]", "inStrides[64]", "inFlags[8]", "inSizes[8]"],
}
_ABOUT = {
    "elementwise": "Fields: the split of Note [Elementwise split] (op_host/elementwise_tiling.h)",
    "rownorm": "Fields: the split of Note [Row split] (op_host/rows_tiling.h), the row length and scratch rows",
    "reduce": "Fields: the split of Note [Row split] and the plan of Note [Reduce plan] (op_host/reduce_tiling.h)",
    "broadcast": "Fields: the split of Note [Row split] and the plan of Note [Broadcast plan]\n"
                 "// (op_host/broadcast_tiling.h)",
    "matmul": "Fields: the Matmul API's TCubeTiling (from matmul_tiling::MultiCoreMatmulTiling) and whether a\n"
              "// bias came",
    "custom": "Fields: add what the kernel needs to split its work (set in TilingFunc)",
}


def _kind_fields(m: OpModel) -> tuple[list[tuple[str, str]], str]:
    if m.kind == "matmul":
        from .host_matmul import tiling_fields

        return tiling_fields(m), _ABOUT["matmul"]
    if m.kind == "custom":
        return [("uint32_t", "totalLength")], _ABOUT["custom"]
    return [("uint32_t", f) for f in SPLIT_FIELDS + tuple(_ROW_FIELDS.get(m.kind, ()))], _ABOUT[m.kind]


def _field(t: str, n: str) -> str:
    if t.startswith("struct "):
        return f"TILING_DATA_FIELD_DEF_STRUCT({t[len('struct '):]}, {n});"
    if "[" in n:
        return f"TILING_DATA_FIELD_DEF_ARR({t}, {n[n.index('[') + 1:-1]}, {n[:n.index('[')]});"
    return f"TILING_DATA_FIELD_DEF({t}, {n});"


def tiling_header(m: OpModel) -> str:
    """``op_host/<op>_tiling.h``: the tiling struct shared by TilingFunc and the kernel.

    >>> from opkit.spec import load
    >>> print(tiling_header(OpModel(load("ops/sinh_custom.json")[0])))  # doctest: +SKIP
    """
    fields, about = _kind_fields(m)
    fields += [(a.field_type, a.attr.name) for a in m.scalar_attrs]
    if m.scalar_attrs:
        about += ", then the scalar attrs\n// (bool as uint8_t: tiling fields are integers or float)"
    lines = [
        f"// Tiling data of {m.op_type}, shared by op_host/{m.name}.cpp and op_kernel/{m.name}.cpp.",
        f"// {about}.",
        "#pragma once",
        '#include "register/tilingdata_base.h"',
        *(['#include "tiling/tiling_api.h"'] if m.kind == "matmul" else []),
        "",
        "namespace optiling {",
        f"BEGIN_TILING_DATA_DEF({m.tiling_class})",
        *(_field(t, n) for t, n in fields),
        "END_TILING_DATA_DEF;",
        "",
        f"REGISTER_TILING_DATA_CLASS({m.op_type}, {m.tiling_class})",
        "}  // namespace optiling",
    ]
    return "\n".join(lines) + "\n"


def _attr_reads(m: OpModel, indent: str = "    ") -> list[str]:
    """TilingFunc lines copying each scalar attr into the tiling struct."""
    out = []
    for a in m.scalar_attrs:
        var = a.member.rstrip("_") + "Attr"  # never a local of TilingFunc (size, split, tiling, ...)
        value = f"*{var} ? 1 : 0" if a.attr.type == "bool" else f"*{var}"
        out += [
            f"const {a.host_type}* {var} = context->GetAttrs()->{a.getter}({a.index});",
            f"if ({var} == nullptr) {{",
            (f'    std::fprintf(stderr, "%s tiling: attr \'{a.attr.name}\' ({a.attr.type}) is missing\\n", '
             "context->GetNodeName());"),
            "    return ge::GRAPH_FAILED;",
            "}",
            f"tiling.set_{a.attr.name}({value});",
        ]
    return [indent + line for line in out]


def _params(m: OpModel, target: str, columns: list[int] | None = None) -> list[str]:
    """The Input/Output declarations of ``target`` (``this->`` or a config's ``name.``), with every dtype
    column or only ``columns``."""
    out = []
    for kind, tensors in (("Input", m.spec.inputs), ("Output", m.spec.outputs)):
        for t in tensors:
            cols = range(len(t.dtypes)) if columns is None or len(t.dtypes) == 1 else columns
            out += [
                f'{target}{kind}("{t.name}")',
                f"    .ParamType({t.param_type.upper()})",
                f"    .DataType({{{', '.join('ge::' + t.dtypes[c].ge for c in cols)}}})",
                f"    .Format({{{', '.join('ge::FORMAT_' + t.formats[c] for c in cols)}}});",
            ]
    return out


def bf16_free_columns(m: OpModel) -> list[int]:
    """The dtype columns in which no tensor is bfloat16: all that a SoC without bf16 (910A, 310P) can run."""
    tensors = [*m.spec.inputs, *m.spec.outputs]
    width = max(len(t.dtypes) for t in tensors)
    return [c for c in range(width)
            if all((t.dtypes[0] if len(t.dtypes) == 1 else t.dtypes[c]).ge != "DT_BF16" for t in tensors)]


def _opdef(m: OpModel, socs: list[str], no_bf16: frozenset[str] = frozenset()) -> list[str]:
    """The ``namespace ops`` registration: tensors with their dtype/format columns, attrs, configs. SoCs
    in ``no_bf16`` (short names) get an OpAICoreConfig of the columns without bfloat16 when some have it."""
    body = _params(m, "this->")
    body += [line for a in m.spec.attrs for line in m.attr_builder(a).splitlines()]
    body += ["this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);",
             "this->AICore().SetTiling(optiling::TilingFunc);"]
    has_bf16 = any(d.ge == "DT_BF16" for t in [*m.spec.inputs, *m.spec.outputs] for d in t.dtypes)
    limited = [s for s in socs if s in no_bf16] if has_bf16 else []
    body += [f'this->AICore().AddConfig("{s}");' for s in socs if s not in limited]
    if limited:  # (project._socs_for drops these SoCs when every column has bf16)
        body += [f"// {', '.join(limited)}: no bfloat16 on these SoCs, so their config lists the other columns",
                 "OpAICoreConfig noBf16;", *_params(m, "noBf16.", bf16_free_columns(m))]
        body += [f'this->AICore().AddConfig("{s}", noBf16);' for s in limited]
    return [
        "namespace ops {",
        f"class {m.op_type} : public OpDef {{",
        "public:",
        f"    explicit {m.op_type}(const char* name) : OpDef(name) {{",
        *("        " + line for line in body),
        "    }",
        "};",
        f"OP_ADD({m.op_type});",
        "}  // namespace ops",
    ]


def _infer_dtype(m: OpModel) -> list[str]:
    body = []
    for j, out in enumerate(m.spec.outputs):
        how, arg = m.infer_dtype_source(out)
        if how == "input":
            body.append(f"context->SetOutputDataType({j}, context->GetInputDataType({arg}));  // {out.name}")
        elif how == "const":
            body.append(f"context->SetOutputDataType({j}, ge::{arg});  // {out.name}")
        elif how == "table":
            body.append(f"switch (context->GetInputDataType(0)) {{  // {out.name}, by the dtype columns")
            body += [f"    case ge::{src}: context->SetOutputDataType({j}, ge::{dst}); break;" for src, dst in arg]
            body += ["    default: return GRAPH_FAILED;", "}"]
        else:
            body.append(f"context->SetOutputDataType({j}, ge::{arg});  "
                        f"// {out.name}: OPKIT: the spec does not say; set it from the inputs")
    return [
        "static graphStatus InferDataType(gert::InferDataTypeContext* context) {",
        *("    " + line for line in body),
        "    return GRAPH_SUCCESS;",
        "}",
    ]


def _infer_call(m: OpModel) -> str | None:
    """The InferShape of a complete kind: one call into its op_host header."""
    n = len(m.spec.inputs)
    if m.kind == "elementwise":
        return f"optiling::InferSameShape(context, {n});  // every tensor shaped alike"
    if m.kind == "broadcast":
        return f"optiling::InferBroadcastShape(context, {n});  // numpy's broadcast of the inputs"
    if m.kind == "rownorm":
        return f"optiling::InferRowNormShape(context, {n});  // the first input's shape"
    if m.kind == "reduce":
        index, is_list = m.axes
        keep = m.keep_dims_index
        return (f"optiling::InferReduceShape(context, {index}, {'true' if is_list else 'false'}, {keep});  "
                "// the reduced axes dropped" + (", or 1 with keep_dims" if keep >= 0 else ""))
    return None


def _infer_shape(m: OpModel) -> list[str]:
    call = _infer_call(m)
    if call is not None:
        return ["static graphStatus InferShape(gert::InferShapeContext* context) {", f"    return {call}", "}"]
    if not m.spec.inputs:
        return ["static graphStatus InferShape(gert::InferShapeContext* context) {",
                (f'    std::fprintf(stderr, "%s: write InferShape in op_host/{m.name}.cpp: the op has no '
                 'inputs to take output shapes from\\n", context->GetNodeName());'),
                "    return GRAPH_FAILED;",
                "}"]
    lines = ["static graphStatus InferShape(gert::InferShapeContext* context) {",
             "    " + MARK_BEGIN.format(what="INFER_SHAPE"),
             "    // OPKIT: every output takes the first input's shape; change this where the op's outputs differ.",
             f"    const gert::Shape* first = context->GetInputShape(0);  // {m.spec.inputs[0].name}",
             "    if (first == nullptr) return GRAPH_FAILED;"]
    lines += [f"    *context->GetOutputShape({j}) = *first;  // {t.name}"
              for j, t in enumerate(m.spec.outputs)]
    return lines + ["    " + MARK_END.format(what="INFER_SHAPE"), "    return GRAPH_SUCCESS;", "}"]


def _tiling_func_elementwise(m: OpModel) -> list[str]:
    n = len(m.spec.tensors)
    names = ", ".join(t.name for t in m.spec.tensors)
    return [
        "namespace optiling {",
        "// UB bytes per tile element of any scratch buffers the kernel adds with TBuf (e.g. 4 for one fp32",
        "// tile); the queues are counted below. Raise it when the compute needs scratch.",
        "constexpr uint32_t SCRATCH_BYTES_PER_ELEM = 0;",
        "",
        "static ge::graphStatus TilingFunc(gert::TilingContext* context) {",
        "    const uint32_t size = DTypeBytes(context->GetInputDesc(0)->GetDataType());",
        f"    // {names}: {n} queues x 2 buffers (double buffering), plus the scratch",
        f"    const uint32_t perElem = {n} * 2 * size + SCRATCH_BYTES_PER_ELEM;",
        "    ElementwiseSplit split;",
        "    if (SplitElementwise(context, size, perElem, split) != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;",
        f"    {m.tiling_class} tiling;",
        *_attr_reads(m),
        "    return SaveElementwiseTiling(context, split, tiling);",
        "}",
        "}  // namespace optiling",
    ]


def _tiling_func_rows(m: OpModel) -> list[str]:
    """TilingFunc of the row kinds: the attrs, then one call that plans, splits and saves."""
    nin = len(m.spec.inputs)
    if m.kind == "rownorm":
        consts = ["// Rows of scratch the row compute gets in s.tmp (rows of the 32-byte-aligned row stride); raise it",
                  "// when the compute needs more, lower it to fit longer rows.",
                  "constexpr uint32_t SCRATCH_ROWS = 2;"]
        call = f"TileRowNorm(context, {nin - 1}, SCRATCH_ROWS, tiling)"
    elif m.kind == "broadcast":
        consts = ["// UB bytes per tile element of any scratch buffers the kernel adds with TBuf (e.g. 4 for one fp32",
                  "// tile); the queues are counted by TileBroadcast. Raise it when the compute needs scratch.",
                  "constexpr uint32_t SCRATCH_BYTES_PER_ELEM = 0;"]
        call = f"TileBroadcast(context, {nin}, SCRATCH_BYTES_PER_ELEM, tiling)"
    else:
        index, is_list = m.axes
        consts = []
        call = f"TileReduce(context, {index}, {'true' if is_list else 'false'}, tiling)"
    return [
        "namespace optiling {",
        *consts,
        *([""] if consts else []),
        "static ge::graphStatus TilingFunc(gert::TilingContext* context) {",
        f"    {m.tiling_class} tiling;",
        *_attr_reads(m),
        f"    return {call};",
        "}",
        "}  // namespace optiling",
    ]


def _tiling_func_skeleton(m: OpModel) -> list[str]:
    what = "TILING"
    first = []
    if m.spec.inputs:
        first = ["    const gert::StorageShape* first = context->GetInputShape(0);  // " + m.spec.inputs[0].name,
                 "    if (first != nullptr)",
                 "        tiling.set_totalLength(static_cast<uint32_t>(first->GetStorageShape().GetShapeSize()));"]
    return [
        "namespace optiling {",
        "static ge::graphStatus TilingFunc(gert::TilingContext* context) {",
        f"    {m.tiling_class} tiling;",
        *first,
        *_attr_reads(m),
        "    " + MARK_BEGIN.format(what=what),
        "    // Split the work over the cores: the fields of op_host/" + m.name + "_tiling.h, how many cores,",
        "    // a tiling key if the kernel has variants, and the GM workspace the kernel needs. The platform:",
        "    //   platform_ascendc::PlatformAscendC p(context->GetPlatformInfo());  p.GetCoreNumAiv(),",
        "    //   p.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubBytes), p.GetSocVersion()",
        "    context->SetBlockDim(1);",
        "    context->GetWorkspaceSizes(1)[0] = 0;",
        (f'    std::fprintf(stderr, "%s: write the tiling in op_host/{m.name}.cpp (marked OPKIT: TILING)\\n", '
         "context->GetNodeName());"),
        "    return ge::GRAPH_FAILED;  // delete these two lines once the tiling is written",
        "    " + MARK_END.format(what=what),
        "    if (tiling.GetDataSize() > context->GetRawTilingData()->GetCapacity()) return ge::GRAPH_FAILED;",
        "    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());",
        "    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());",
        "    return ge::GRAPH_SUCCESS;",
        "}",
        "}  // namespace optiling",
    ]


def host_source(m: OpModel, socs: list[str], spec_file: str, no_bf16: frozenset[str] = frozenset()) -> str:
    """``op_host/<op>.cpp``: tiling function, shape and dtype inference, OpDef registration.

    ``socs`` are the SoCs' short names for ``AddConfig`` (``["ascend910b"]``).

    >>> from opkit.spec import load
    >>> "AddConfig(\\"ascend910b\\")" in host_source(OpModel(load("ops/add_custom.json")[0]),
    ...                                              ["ascend910b"], "add_custom.json")  # doctest: +SKIP
    True
    """
    if m.kind == "matmul":
        from .host_matmul import host_source as matmul_host

        return matmul_host(m, socs, spec_file)
    if m.complete:
        header = {"elementwise": "elementwise_tiling.h", "rownorm": "rows_tiling.h"}.get(m.kind, f"{m.kind}_tiling.h")
        head = [f"// {m.op_type}, host side: registration, shape and dtype inference, tiling. Generated by",
                f"// `python -m opkit gen` (kind {m.kind}) from {spec_file}. The tiling is complete (op_host/{header}",
                f"// says how it splits the work); the compute to write is in op_kernel/{m.name}.cpp.",
                f'#include "{m.name}_tiling.h"',
                f'#include "{header}"',
                '#include "register/op_def_registry.h"']
        tiling = _tiling_func_elementwise(m) if m.elementwise else _tiling_func_rows(m)
    else:
        head = [f"// {m.op_type}, host side: registration, shape and dtype inference, tiling. Generated by",
                f"// `python -m opkit gen` (kind custom) from {spec_file}. Write the parts marked OPKIT: the",
                "// tiling fails loudly until it is written.",
                "#include <cstdio>",
                "",
                f'#include "{m.name}_tiling.h"',
                '#include "register/op_def_registry.h"']
        tiling = _tiling_func_skeleton(m)
    if any(a.type == "float" and a.default is not None and str(a.default) in ("inf", "-inf", "nan")
           for a in m.spec.attrs):
        head.insert(3, "#include <cmath>")
    parts = [head, tiling, ["namespace ge {", *_infer_shape(m), *_infer_dtype(m), "}  // namespace ge"],
             _opdef(m, socs, no_bf16)]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"
