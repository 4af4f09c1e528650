"""op_kernel/<op>.cpp of a generated project.

Every kind but custom (Note [Gen kinds] in gen/kinds.py) gets a complete kernel on one of opkit's
streams (op_kernel/elementwise.h, broadcast.h, reduce.h, rownorm.h): multi-core, double-buffered,
tail-safe, with one marked block, ``OPKIT: COMPUTE``, that fails loudly through ASSERT until the
compute is written. Custom ops get a skeleton with the same loud mark where the whole kernel goes.
Elementwise and broadcast are written here; reduce and rownorm in kernel_rows.py.
"""

from __future__ import annotations

import textwrap

from .host import MARK_BEGIN, MARK_END
from .model import OpModel

COMPUTE_MESSAGE = "{name}: write the per-tile compute in op_kernel/{name}.cpp (marked OPKIT: COMPUTE)"
SKELETON_MESSAGE = "{name}: write the kernel in op_kernel/{name}.cpp (marked OPKIT: COMPUTE)"


def _wrap_params(head: str, params: list[str], tail: str, width: int = 110) -> str:
    """``head(p0, p1, ...)tail`` broken before the line gets wider than ``width``."""
    lines, line = [], head + "("
    indent = " " * len(line)
    for i, p in enumerate(params):
        piece = p + (", " if i < len(params) - 1 else ")" + tail)
        if len(line) + len(piece.rstrip()) > width and line.strip() not in ("", head.strip() + "("):
            lines.append(line.rstrip())
            line = indent
        line += piece
    lines.append(line)
    return "\n".join(lines)


def _entry(m: OpModel, body: list[str]) -> str:
    params = [f"GM_ADDR {p}" for p in m.kernel_params] + ["GM_ADDR workspace", "GM_ADDR tiling"]
    head = _wrap_params(f'extern "C" __global__ __aicore__ void {m.name}', params, " {")
    return head + "\n" + "\n".join("    " + line for line in body) + "\n}\n"


def _diagram(m: OpModel) -> list[str]:
    ins, out = m.spec.inputs, m.spec.outputs[0]
    sink = f"--V: compute--> {m.local(m.output_param(out))} --MTE3--> {out.name}[tile]"
    if len(ins) == 1:
        return [f"//   per tile:  {ins[0].name}[tile] --MTE2--> {m.local(ins[0].name)} {sink}"]
    width = max(len(f"{t.name}[tile] --MTE2--> {m.local(t.name)}") for t in ins)
    lines = []
    for i, t in enumerate(ins):
        text = f"{t.name}[tile] --MTE2--> {m.local(t.name)}".ljust(width)
        mark = "┐" if i == 0 else ("┴" + sink if i == len(ins) - 1 else "┤")
        lines.append(("//   per tile:  " if i == 0 else "//              ") + text + " " + mark)
    return lines


def _attr_note(m: OpModel) -> list[str]:
    if not m.scalar_attrs:
        return []
    text = "Attrs, from the tiling: " + ", ".join(f"{a.member} ({a.attr.type})" for a in m.scalar_attrs) + "."
    return ["// " + line for line in textwrap.wrap(text, 96)]


def _compute_block(m: OpModel, indent: str) -> list[str]:
    ins, out = m.spec.inputs, m.spec.outputs[0]
    o = m.local(m.output_param(out))
    locals_ = [m.local(t.name) for t in ins]
    args = ", ".join(locals_)
    example = f"Abs({o}, {locals_[0]}, n);" if len(ins) == 1 else f"Add({o}, {locals_[0]}, {locals_[1]}, n);"
    floats = [a for a in m.scalar_attrs if a.attr.type == "float"]
    if floats:
        example += f"  Muls({o}, {o}, static_cast<T>({floats[0].member}), n);"
    if m.kind == "broadcast":
        what = [f"// {o}[0, n) = f({args}), elementwise, each input already broadcast to {out.name}'s shape.",
                f"// T is DTYPE_{ins[0].name.upper()}: {', '.join(dict.fromkeys(m.dtype_names))}. The tile is whole "
                "rows at a 32-byte-aligned",
                "// stride; n counts the padding lanes too, which are not copied out."]
    else:
        what = [f"// {o}[0, n) = f({args}), elementwise.",
                (f"// T is DTYPE_{ins[0].name.upper()}: {', '.join(dict.fromkeys(m.dtype_names))}. n is a whole "
                 "number of 32-byte units; lanes past"),
                "// the tensor's end are not copied out."]
    lines = [
        MARK_BEGIN.format(what="COMPUTE"),
        *what,
        *_attr_note(m),
        f"// For example: {example}",
    ]
    if "bfloat16" in m.dtype_names or any(d in m.dtype_names for d in ("int8", "uint8", "bool")):
        lines += ["// For a dtype without the vector instruction you need (bfloat16 on 910B): Cast to fp32 scratch",
                  "// (a TBuf given in Init; raise SCRATCH_BYTES_PER_ELEM in op_host/" + m.name + ".cpp),",
                  "// compute there, Cast back; kernels/add_custom.cpp in opkit does this for bfloat16."]
    lines += [f'ASSERT(false && "{COMPUTE_MESSAGE.format(name=m.name)}");', MARK_END.format(what="COMPUTE")]
    return [indent + line for line in lines]


def _tiling_text(m: OpModel) -> list[str]:
    nin = len(m.spec.inputs)
    if m.kind == "broadcast":
        return [
            f"// Tiling (op_host/{m.name}.cpp, Note [Broadcast plan] in op_host/broadcast_tiling.h): the output's",
            "// shape is numpy's broadcast of the inputs'; its axes merge into rows of `cols` elements, and each",
            "// input row is copied from its broadcast offset (or Duplicated, for an input without the last",
            "// axis). Whole rows are spread over the vector cores (Note [Row split] in op_host/rows_tiling.h);",
            f"// each core streams tiles of rows ({nin + 1} queues x 2 buffers x rows x 32-byte-aligned row",
            "// stride). Rows of any length move with DataCopyPad (910B); on 910A/310P they must be whole",
            "// 32-byte blocks (the tiling says so otherwise).",
        ]
    return [
        f"// Tiling (op_host/{m.name}.cpp, Note [Elementwise split] in op_host/elementwise_tiling.h): the",
        "// 32-byte units of the tensors are spread over up to all vector cores; each core streams its range",
        f"// in tiles sized from the UB budget ({nin + 1} queues x 2 buffers x tile), and the last core's",
        "// sub-32-byte remainder goes through DataCopyPad (910B) or an aligned window ending at its range's",
        "// end (910A/310P), so any length works.",
    ]


def _head(m: OpModel, spec_file: str, formula: str, design: list[str], using: list[str]) -> list[str]:
    """A complete kind's kernel file up to its class: the design note, includes and usings."""
    dtypes = ", ".join(dict.fromkeys(m.dtype_names))
    return [
        f"// {m.name}: {formula}, for {dtypes}. Generated by `python -m opkit gen`",
        f"// (kind {m.kind}) from {spec_file}; write the compute at OPKIT: COMPUTE below (the kernel fails loudly",
        "// until then).",
        "//",
        *design,
        "//",
        "// Test: python -m opkit build . && pytest tests --mode=cpu   (in the project directory)",
        '#include "kernel_operator.h"',
        f'#include "{m.kind}.h"',
        "",
        "using namespace AscendC;",
        *using,
        "",
    ]


def _elementwise(m: OpModel, spec_file: str) -> str:
    """The elementwise and broadcast kernels: one stream, one per-tile compute (Note [Gen kinds])."""
    ins, out = m.spec.inputs, m.spec.outputs[0]
    nin = len(ins)
    out_param = m.output_param(out)
    stream = "BroadcastStream" if m.kind == "broadcast" else "ElementwiseStream"
    formula = f"{out.name} = f({', '.join(t.name for t in ins)})"
    head = _head(m, spec_file, formula, [*_tiling_text(m), "//", *_diagram(m)], [f"using opkit_kernels::{stream};"])
    gm = [f"GM_ADDR {p}" for p in m.kernel_params]
    init = [
        "    template <typename Tiling>",
        _wrap_params("    __aicore__ inline void Init", gm + ["const Tiling& tiling"], " {"),
        f"        GM_ADDR in[{nin}] = {{{', '.join(t.name for t in ins)}}};",
        *(f"        {a.member} = tiling.{a.attr.name};" for a in m.scalar_attrs),
        f"        stream_.Init(pipe_, in, {out_param}, tiling);",
        "    }",
    ]
    lam = f"[this](const LocalTensor<T>& {m.local(out_param)}, const LocalTensor<T>* inputs, uint32_t n)"
    process = [
        "    template <bool PAD>",
        "    __aicore__ inline void Process() {",
        "        stream_.template Process<PAD>(",
        f"            {lam} {{",
        *(f"                const LocalTensor<T>& {m.local(t.name)} = inputs[{i}];  // [n] {t.name}"
          for i, t in enumerate(ins)),
        *_compute_block(m, "                "),
        "            });",
        "    }",
    ]
    members = ["    TPipe pipe_;", f"    {stream}<T, {nin}> stream_;"]
    members += [f"    {a.kernel_type} {a.member} = {{}};" for a in m.scalar_attrs]
    cls = ["template <typename T>", f"class {m.kernel_class} {{", "public:", *init, *process, "", "private:",
           *members, "};", ""]
    body = ["GET_TILING_DATA(tilingData, tiling);",
            f"{m.kernel_class}<DTYPE_{ins[0].name.upper()}> op;",
            f"op.Init({', '.join(m.kernel_params)}, tilingData);",
            "opkit_kernels::RunElementwise(op);"]
    return "\n".join(head + cls) + "\n" + _entry(m, body)


def _skeleton_init(m: OpModel) -> list[str]:
    lines = ["totalLength_ = tiling.totalLength;"]
    lines += [f"{a.member} = tiling.{a.attr.name};" for a in m.scalar_attrs]
    for t, param in [(t, t.name) for t in m.spec.inputs] + [(t, m.output_param(t)) for t in m.spec.outputs]:
        gm = f"{camel_case_gm(param)}"
        set_buf = f"{gm}.SetGlobalBuffer((__gm__ DTYPE_{t.name.upper()}*){param}, totalLength_);"
        if t.param_type == "dynamic":
            lines += [f"// {param} is dynamic: the address of a list of tensors, unpacked in Process",
                      f"{camel_case_gm(param, 'List_')} = {param};"]
        elif t.param_type == "optional":
            lines += [f"// {param} is optional: its address is null when the caller leaves it out",
                      f"if ({param} != nullptr) {set_buf}"]
        else:
            lines.append(set_buf)
    return lines


def camel_case_gm(param: str, suffix: str = "Gm_") -> str:
    """The kernel member holding a tensor's GM view (``x_ref`` -> ``xRefGm_``)."""
    return OpModel.local(param)[: -len("Local")] + suffix


def _skeleton(m: OpModel, spec_file: str) -> str:
    ins = ", ".join(f"{t.name}{'?' if t.param_type == 'optional' else ''}{'[]' if t.param_type == 'dynamic' else ''}"
                    for t in m.spec.inputs)
    outs = ", ".join(t.name for t in m.spec.outputs)
    head = [
        f"// {m.name}: {m.op_type} ({ins} -> {outs}). Generated by `python -m opkit gen` (kind custom) from",
        f"// {spec_file}.",
        "// Write the kernel at OPKIT: COMPUTE below (it fails loudly until then), then replace this note",
        "// with the kernel's design: the formula, which core gets which elements, tile length, buffer",
        "// count and how the tail is handled.",
        "//",
        f"// Tiling: op_host/{m.name}.cpp (its OPKIT: TILING block) fills op_host/{m.name}_tiling.h.",
        "// Test: python -m opkit build . && pytest tests --mode=cpu   (in the project directory)",
        '#include "kernel_operator.h"',
        "",
        "using namespace AscendC;",
        "",
    ]
    gm = [f"GM_ADDR {p}" for p in m.kernel_params]
    tensors = [(t, t.name) for t in m.spec.inputs] + [(t, m.output_param(t)) for t in m.spec.outputs]
    members = ["    TPipe pipe_;"]
    for t, param in tensors:
        if t.param_type == "dynamic":
            members.append(f"    GM_ADDR {camel_case_gm(param, 'List_')} = nullptr;")
        else:
            members.append(f"    GlobalTensor<DTYPE_{t.name.upper()}> {camel_case_gm(param)};")
    members += ["    uint32_t totalLength_ = 0;"] + [f"    {a.kernel_type} {a.member} = {{}};" for a in m.scalar_attrs]
    compute = [
        MARK_BEGIN.format(what="COMPUTE"),
        "// This core is GetBlockIdx() of GetBlockNum(); its share of the work comes from the tiling.",
        "// Move tiles GM -> UB through queues (pipe_.InitBuffer, AllocTensor, EnQue, DeQue, FreeTensor),",
        "// compute on them, and copy the results back to the output tensors.",
        f'ASSERT(false && "{SKELETON_MESSAGE.format(name=m.name)}");',
        MARK_END.format(what="COMPUTE"),
    ]
    cls = [
        f"class {m.kernel_class} {{",
        "public:",
        "    template <typename Tiling>",
        _wrap_params("    __aicore__ inline void Init", gm + ["const Tiling& tiling"], " {"),
        *("        " + line for line in _skeleton_init(m)),
        "    }",
        "    __aicore__ inline void Process() {",
        *("        " + line for line in compute),
        "    }",
        "",
        "private:",
        *members,
        "};",
        "",
    ]
    body = ["GET_TILING_DATA(tilingData, tiling);", f"{m.kernel_class} op;",
            f"op.Init({', '.join(m.kernel_params)}, tilingData);", "op.Process();"]
    return "\n".join(head + cls) + "\n" + _entry(m, body)


def kernel_source(m: OpModel, spec_file: str) -> str:
    """``op_kernel/<op>.cpp``: the kernel entry ``<op>(inputs..., outputs..., workspace, tiling)``.

    >>> from opkit.spec import load
    >>> src = kernel_source(OpModel(load("ops/add_custom.json")[0]), "add_custom.json")  # doctest: +SKIP
    >>> "void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling)" in src  # doctest: +SKIP
    True
    """
    if m.kind in ("elementwise", "broadcast"):
        return _elementwise(m, spec_file)
    from . import kernel_rows  # it builds on this module's helpers

    if m.kind == "reduce":
        return kernel_rows.reduce_kernel(m, spec_file)
    if m.kind == "rownorm":
        return kernel_rows.rownorm_kernel(m, spec_file)
    if m.kind == "matmul":
        from . import kernel_matmul

        return kernel_matmul.kernel_source(m, spec_file)
    return _skeleton(m, spec_file)
