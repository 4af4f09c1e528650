"""op_kernel/<op>.cpp of the reduce and rownorm kinds (Note [Gen kinds] in gen/kinds.py).

Both build on opkit's row streams (op_kernel/reduce.h, op_kernel/rownorm.h): the split, the queues
and the tails are complete; the ``OPKIT: COMPUTE`` block fails loudly until it is written.
"""

from __future__ import annotations

from . import kinds
from .host import MARK_BEGIN, MARK_END
from .kernel import _attr_note, _entry, _head, _wrap_params
from .model import OpModel

REDUCE_MESSAGE = "{name}: write the reduction in op_kernel/{name}.cpp (marked OPKIT: COMPUTE)"
ROWNORM_MESSAGE = "{name}: write the row compute in op_kernel/{name}.cpp (marked OPKIT: COMPUTE)"


def _class(m: OpModel, init: list[str], methods: list[str], members: list[str]) -> list[str]:
    members = ["    TPipe pipe_;", *members] + [f"    {a.kernel_type} {a.member} = {{}};" for a in m.scalar_attrs]
    return ["template <typename T>", f"class {m.kernel_class} {{", "public:", *init, *methods, "", "private:",
            *members, "};", ""]


def _init(m: OpModel, lines: list[str]) -> list[str]:
    gm = [f"GM_ADDR {p}" for p in m.kernel_params]
    return [
        "    template <typename Tiling>",
        _wrap_params("    __aicore__ inline void Init", gm + ["const Tiling& tiling"], " {"),
        *(f"        {a.member} = tiling.{a.attr.name};" for a in m.scalar_attrs),
        *("        " + line for line in lines),
        "    }",
    ]


def _body(m: OpModel, run: str) -> list[str]:
    return ["GET_TILING_DATA(tilingData, tiling);",
            f"{m.kernel_class}<DTYPE_{m.spec.inputs[0].name.upper()}> op;",
            f"op.Init({', '.join(m.kernel_params)}, tilingData);",
            run]


def reduce_kernel(m: OpModel, spec_file: str) -> str:
    x, y = m.spec.inputs[0], m.spec.outputs[0]
    axes = kinds.axes_attr(m.spec).name
    design = [
        f"// Tiling (op_host/{m.name}.cpp, Note [Reduce plan] in op_host/reduce_tiling.h): the attr '{axes}'",
        f"// names adjacent axes of {x.name}, seen as [outer, len, inner] -> {y.name}[outer, inner]. inner == 1:",
        f"// each {y.name} element reduces a row of len elements (ReduceRow; long rows in chunks joined by",
        f"// Combine); cores take 32-byte units of {y.name}, the remainder moves by DataCopyPad (910B) or an",
        "// aligned window recomputed at the core's end (910A/310P). inner > 1: items are chunks of a",
        f"// {y.name} row, acc = Combine over the len rows of {x.name}. See op_kernel/reduce.h.",
    ]
    compute = [
        MARK_BEGIN.format(what="COMPUTE"),
        f"// T is DTYPE_{x.name.upper()}. Write all three; sum: ReduceSum / Add / nothing; max: ReduceMax /",
        "// Max / nothing; mean: ReduceSum / Add / Muls(acc, acc, static_cast<T>(1.0f / len), n).",
        *_attr_note(m),
        "// dst[0] = the reduction of src[0, n); work is ReduceMax/ReduceMin's work area.",
        "__aicore__ inline void ReduceRow(const LocalTensor<T>& dst, const LocalTensor<T>& src, "
        "const LocalTensor<T>& work, uint32_t n) {",
        f'    ASSERT(false && "{REDUCE_MESSAGE.format(name=m.name)}");',
        "}",
        "// acc[0, n) = combine(acc, x), elementwise (e.g. Add(acc, acc, x, n)).",
        "__aicore__ inline void Combine(const LocalTensor<T>& acc, const LocalTensor<T>& x, uint32_t n) {",
        f'    ASSERT(false && "{REDUCE_MESSAGE.format(name=m.name)}");',
        "}",
        "// acc[0, n) after reducing len elements each (a mean divides here); nothing for sum and max.",
        "__aicore__ inline void Finish(const LocalTensor<T>& acc, uint32_t n, uint32_t len) {}",
        MARK_END.format(what="COMPUTE"),
    ]
    init = _init(m, ["stream_.Init(pipe_, " + f"{x.name}, {m.output_param(y)}, tiling);"])
    methods = ["    __aicore__ inline void Run() { opkit_kernels::RunReduce(stream_, *this); }", "",
               *("    " + line for line in compute)]
    cls = _class(m, init, methods, ["    opkit_kernels::ReduceStream<T> stream_;"])
    head = _head(m, spec_file, f"{y.name} = reduce({x.name}) over the axes of attr '{axes}'", design, [])
    return "\n".join(head + cls) + "\n" + _entry(m, _body(m, "op.Run();"))


def rownorm_kernel(m: OpModel, spec_file: str) -> str:
    x, y, params = m.spec.inputs[0], m.spec.outputs[0], m.spec.inputs[1:]
    n = len(params)
    design = [
        f"// Tiling (op_host/{m.name}.cpp, Note [Row split] in op_host/rows_tiling.h): {x.name} is rows of its last",
        "// axis; whole rows are spread over the vector cores, each core streams tiles of rows (2 queues x 2",
        "// buffers x rows x 32-byte-aligned stride)" + (f"; {', '.join(t.name for t in params)} are rows of the last "
                                                         "axis, loaded once per core" if params else "") + ".",
        "// Rows of any length move with DataCopyPad (910B); on 910A/310P a row must be whole 32-byte blocks",
        "// (the tiling says so otherwise). The compute runs once per row. See op_kernel/rownorm.h.",
    ]
    yl, xl = m.local(m.output_param(y)), m.local(x.name)
    named = [f"const LocalTensor<T>& {m.local(t.name)} = params[{i}];  // [cols] {t.name}"
             + (f", given when stream_.Present({i})" if t.param_type == "optional" else "")
             for i, t in enumerate(params)]
    compute = [
        MARK_BEGIN.format(what="COMPUTE"),
        f"// {yl}[0, cols) = f({xl}[0, cols){''.join(', ' + m.local(t.name) for t in params)}) for one row.",
        f"// T is DTYPE_{x.name.upper()}. Scratch: s.tmp (SCRATCH_ROWS rows of the row stride, op_host/{m.name}.cpp),",
        "// s.work (a row's ReduceSum/ReduceMax work area), s.red (their results); ReadScalar(s.red) waits for",
        "// the vector pipe and reads s.red[0]. Softmax, for example:",
        f"//   ReduceMax(s.red, {xl}, s.work, cols); float m = static_cast<float>(ReadScalar(s.red));",
        f"//   Adds({yl}, {xl}, static_cast<T>(-m), cols); Exp({yl}, {yl}, cols);",
        f"//   ReduceSum(s.red, {yl}, s.work, cols);",
        f"//   Muls({yl}, {yl}, static_cast<T>(1.0f / static_cast<float>(ReadScalar(s.red))), cols);",
        *_attr_note(m),
        f'ASSERT(false && "{ROWNORM_MESSAGE.format(name=m.name)}");',
        MARK_END.format(what="COMPUTE"),
    ]
    lam = (f"[this](const LocalTensor<T>& {yl}, const LocalTensor<T>& {xl}, const LocalTensor<T>* params, "
           "const RowScratch<T>& s, uint32_t cols)")
    process = [
        "    template <bool PAD>",
        "    __aicore__ inline void Process() {",
        "        stream_.template Process<PAD>(",
        f"            {lam} {{",
        *("                " + line for line in named),
        *("                " + line for line in compute),
        "            });",
        "    }",
    ]
    addrs = ", ".join(t.name for t in params) if params else "nullptr"
    init = _init(m, [f"GM_ADDR params[{max(n, 1)}] = {{{addrs}}};",
                     f"stream_.Init(pipe_, {x.name}, params, {m.output_param(y)}, tiling);"])
    cls = _class(m, init, process, [f"    opkit_kernels::RowNormStream<T, {n}> stream_;"])
    head = _head(m, spec_file, f"{y.name} = f({x.name}) row by row over the last axis", design,
                 ["using opkit_kernels::ReadScalar;", "using opkit_kernels::RowScratch;"])
    return "\n".join(head + cls) + "\n" + _entry(m, _body(m, "opkit_kernels::RunElementwise(op);"))
