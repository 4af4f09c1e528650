"""op_host/<op>.cpp of a matmul-kind op (Note [Gen kinds] in gen/kinds.py): y = f(x @ w (+ bias)).

The TilingFunc is complete and written out in the file (no shared header): matmul_tiling's
MultiCoreMatmulTiling splits y over the vector cores, the Matmul API's clients in a MIX kernel, and the
base block is sized so that the epilogue's tiles fit the UB. InferShape folds x's leading dims into M.
"""

from __future__ import annotations

from .host import _attr_reads, _infer_dtype, _opdef
from .model import OpModel


def _dims(m: OpModel) -> list[str]:
    """The shape rule shared by TilingFunc and InferShape, with the reason for a refusal on stderr."""
    x, w = m.spec.inputs[:2]
    return [
        "namespace {",
        f"// {x.name} [..., M, K] (its leading dims fold into M) and {w.name} [K, N], or [N, K] when transposed: M, K",
        "// and N, or false with the reason on stderr.",
        "bool MatmulDims(const char* node, const gert::Shape& x, const gert::Shape& w, bool transW, int64_t& m,",
        "                int64_t& k, int64_t& n) {",
        "    if (x.GetDimNum() < 1 || w.GetDimNum() != 2) {",
        f'        std::fprintf(stderr, "%s: {x.name} must be [..., M, K] and {w.name} a matrix ([K, N], or [N, K] '
        'transposed); got ranks %zu and %zu\\n",',
        "                     node, x.GetDimNum(), w.GetDimNum());",
        "        return false;",
        "    }",
        "    k = x.GetDim(x.GetDimNum() - 1);",
        "    m = 1;",
        "    for (size_t i = 0; i + 1 < x.GetDimNum(); ++i) m *= x.GetDim(i);",
        "    const int64_t wk = transW ? w.GetDim(1) : w.GetDim(0);",
        "    n = transW ? w.GetDim(0) : w.GetDim(1);",
        "    if (wk != k) {",
        f'        std::fprintf(stderr, "%s: {x.name}\'s last axis (K = %lld) differs from {w.name}\'s %s axis (%lld)\\n", '
        "node,",
        '                     static_cast<long long>(k), transW ? "last" : "first", static_cast<long long>(wk));',
        "        return false;",
        "    }",
        "    return true;",
        "}",
        "}  // namespace",
    ]


def _trans(m: OpModel) -> str:
    """The C++ expression of 'w is [N, K]' inside TilingFunc (a local of _attr_reads) or InferShape."""
    t = m.transpose
    return "false" if t is None else f"*{t.member.rstrip('_')}Attr"


def _bias_present(m: OpModel) -> str:
    b = m.bias
    if b is None:
        return "false"
    if b.param_type == "optional":
        return "context->GetOptionalInputTensor(2) != nullptr"
    return "true"


def _tiling_func(m: OpModel) -> list[str]:
    x, w = m.spec.inputs[:2]
    y = m.spec.outputs[0]
    return [
        "namespace optiling {",
        "// UB bytes per element of a base block for scratch the epilogue adds with TBuf (e.g. 4 for one fp32",
        "// block); C and y's queues are counted below. Raise it when the epilogue needs scratch.",
        "constexpr uint32_t SCRATCH_BYTES_PER_ELEM = 0;",
        "",
        "static ge::graphStatus TilingFunc(gert::TilingContext* context) {",
        f"    {m.tiling_class} tiling;",
        *_attr_reads(m),
        "    platform_ascendc::PlatformAscendC platform(context->GetPlatformInfo());",
        "    const auto soc = platform.GetSocVersion();",
        "    if (soc != platform_ascendc::SocVersion::ASCEND910B && soc != platform_ascendc::SocVersion::ASCEND910_93) {",
        '        std::fprintf(stderr, "%s tiling: a matmul-kind op runs on 910B-class SoCs only (the Matmul API\'s '
        'path there: separate cube and vector cores, Fixpipe out of L0C); choose one, e.g. OPKIT_SOC=Ascend910B1\\n",',
        "                     context->GetNodeName());",
        "        return ge::GRAPH_FAILED;",
        "    }",
        "    int64_t m = 0, k = 0, n = 0;",
        "    if (!MatmulDims(context->GetNodeName(), context->GetInputShape(0)->GetStorageShape(),",
        f"                    context->GetInputShape(1)->GetStorageShape(), {_trans(m)}, m, k, n))",
        "        return ge::GRAPH_FAILED;",
        "    if (m < 1 || n < 1 || k < 1 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {",
        '        std::fprintf(stderr, "%s tiling: M %lld, N %lld, K %lld: each must be in 1..2^31-1\\n", '
        "context->GetNodeName(),",
        "                     static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k));",
        "        return ge::GRAPH_FAILED;",
        "    }",
        f"    const bool hasBias = {_bias_present(m)};",
        "    const auto in = context->GetInputDesc(0)->GetDataType() == ge::DT_BF16 ? "
        "matmul_tiling::DataType::DT_BF16",
        "                                                                         : "
        "matmul_tiling::DataType::DT_FLOAT16;",
        "    matmul_tiling::MultiCoreMatmulTiling mm(platform);",
        "    // A MIX kernel's Matmul clients are its vector cores (AIVs): the split is over them (CANN's rule for",
        "    // SetDim in MIX mode), and a block of the launch is one cube core (AIC) with two AIVs.",
        "    mm.SetDim(static_cast<int32_t>(platform.GetCoreNumAiv()));",
        f"    mm.SetAType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, in);  // {x.name}",
        f"    mm.SetBType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, in, {_trans(m)});  // {w.name}",
        "    // C comes to the UB in fp32 for the epilogue",
        "    mm.SetCType(matmul_tiling::TPosition::VECIN, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT);",
        "    mm.SetBiasType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT);",
        "    mm.SetShape(static_cast<int32_t>(m), static_cast<int32_t>(n), static_cast<int32_t>(k));",
        "    mm.SetOrgShape(static_cast<int32_t>(m), static_cast<int32_t>(n), static_cast<int32_t>(k));",
        "    mm.SetBias(hasBias);",
        f"    // Each baseM x baseN block of C goes through the UB: C (fp32) and {y.name}, 2 buffers each (double",
        "    // buffering), plus the scratch. The tiler sizes base blocks by the L0C they take (baseM x baseN fp32), so",
        "    // offering it only the L0C of the largest block the UB holds keeps every block within the UB.",
        "    uint64_t ub = 0, l0c = 0;",
        "    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ub);",
        "    platform.GetCoreMemSize(platform_ascendc::CoreMemType::L0_C, l0c);",
        "    const uint32_t yBytes = context->GetOutputDesc(0)->GetDataType() == ge::DT_FLOAT ? 4 : 2;",
        "    const uint64_t perElem = 2 * sizeof(float) + 2 * yBytes + SCRATCH_BYTES_PER_ELEM;",
        "    const uint64_t l0cOffered = std::min<uint64_t>(l0c, ub / perElem * sizeof(float));",
        "    mm.SetBufferSpace(-1, static_cast<int32_t>(l0cOffered), -1);",
        "    if (mm.GetTiling(tiling.cube) == -1) {",
        '        std::fprintf(stderr, "%s tiling: no Matmul tiling for M %lld, N %lld, K %lld (the tiler\'s reason is '
        'above)\\n",',
        "                     context->GetNodeName(), static_cast<long long>(m), static_cast<long long>(n),",
        "                     static_cast<long long>(k));",
        "        return ge::GRAPH_FAILED;",
        "    }",
        "    tiling.set_hasBias(hasBias ? 1 : 0);",
        "    // usedCoreNum counts AIVs; a block holds two of them",
        "    context->SetBlockDim(static_cast<uint32_t>(tiling.cube.usedCoreNum + 1) / 2);",
        "    if (tiling.GetDataSize() > context->GetRawTilingData()->GetCapacity()) return ge::GRAPH_FAILED;",
        "    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());",
        "    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());",
        "    // the Matmul API's system workspace: where C goes on its way from L0C to the UB",
        "    context->GetWorkspaceSizes(1)[0] = platform.GetLibApiWorkSpaceSize();",
        "    return ge::GRAPH_SUCCESS;",
        "}",
        "}  // namespace optiling",
    ]


def _infer_shape(m: OpModel) -> list[str]:
    x, w = m.spec.inputs[:2]
    y = m.spec.outputs[0]
    t = m.transpose
    trans = []
    if t is not None:
        trans = [f"    const bool* transW = context->GetAttrs()->GetBool({t.index});  // {t.attr.name}",
                 "    if (transW == nullptr) return GRAPH_FAILED;"]
    lines = [
        "static graphStatus InferShape(gert::InferShapeContext* context) {",
        f"    // {y.name} [..., M, N]: {x.name}'s shape with its last axis N",
        f"    const gert::Shape* x = context->GetInputShape(0);  // {x.name}",
        f"    const gert::Shape* w = context->GetInputShape(1);  // {w.name}",
        "    if (x == nullptr || w == nullptr) return GRAPH_FAILED;",
        *trans,
        "    int64_t m = 0, k = 0, n = 0;",
        f"    if (!MatmulDims(context->GetNodeName(), *x, *w, {'*transW' if t else 'false'}, m, k, n)) return GRAPH_FAILED;",
    ]
    b = m.bias
    if b is not None:
        get = "GetOptionalInputShape(2)" if b.param_type == "optional" else "GetInputShape(2)"
        lines += [
            f"    const gert::Shape* bias = context->{get};  // {b.name}: [N]"
            + (", or left out" if b.param_type == "optional" else ""),
            "    if (bias != nullptr && !(bias->GetDimNum() == 1 && bias->GetDim(0) == n)) {",
            f'        std::fprintf(stderr, "%s: {b.name} must be [N] = [%lld]\\n", context->GetNodeName(), '
            "static_cast<long long>(n));",
            "        return GRAPH_FAILED;",
            "    }",
        ]
    return lines + [
        "    gert::Shape* y = context->GetOutputShape(0);",
        "    *y = *x;",
        "    y->SetDim(x->GetDimNum() - 1, n);",
        "    return GRAPH_SUCCESS;",
        "}",
    ]


def tiling_fields(m: OpModel) -> list[tuple[str, str]]:
    """The tiling struct's own fields (before the scalar attrs)."""
    return [("struct TCubeTiling", "cube"), ("uint32_t", "hasBias")]


def host_source(m: OpModel, socs: list[str], spec_file: str) -> str:
    """``op_host/<op>.cpp`` of a matmul-kind op.

    >>> from opkit.spec import load
    >>> "MultiCoreMatmulTiling" in host_source(OpModel(load("ops/matmul_custom.json")[0], "matmul"),
    ...                                        ["ascend910b"], "matmul_custom.json")  # doctest: +SKIP
    True
    """
    head = [
        f"// {m.op_type}, host side: registration, shape and dtype inference, tiling. Generated by",
        f"// `python -m opkit gen` (kind matmul) from {spec_file}. The tiling is complete: matmul_tiling's",
        "// MultiCoreMatmulTiling splits y over the vector cores, the Matmul API's clients in a MIX kernel; the",
        f"// epilogue to write is in op_kernel/{m.name}.cpp. For 910B-class SoCs only (the Matmul API's path).",
        "#include <algorithm>",
        "#include <climits>",
        "#include <cstdio>",
        "",
        f'#include "{m.name}_tiling.h"',
        '#include "register/op_def_registry.h"',
        '#include "tiling/platform/platform_ascendc.h"',
        '#include "tiling/tiling_api.h"',
    ]
    if any(a.type == "float" and a.default is not None and str(a.default) in ("inf", "-inf", "nan")
           for a in m.spec.attrs):
        head.insert(4, "#include <cmath>")
    parts = [head, _dims(m), _tiling_func(m), ["namespace ge {", *_infer_shape(m), *_infer_dtype(m), "}  // namespace ge"],
             _opdef(m, socs)]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"
