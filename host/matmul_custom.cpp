// MatmulCustom, host side: y = x · w (+ bias), or x · wᵀ (+ bias) with transpose_w (w as nn.Dense keeps
// it, [N, K]). x is [..., K]: its leading dimensions are one M. The split over the cube cores is
// matmul_tiling::MultiCoreMatmulTiling's (Note [Matmul tiling], runtime/src/matmul_tiling.cpp); the
// kernel is kernels/matmul_custom.cpp.
#include "matmul_custom_tiling.h"
#include "register/op_def_registry.h"
#include "tiling/platform/platform_ascendc.h"
#include "tiling/tiling_api.h"

namespace {
// [rows, K] of x and [K, N] of the product, from the shapes and transpose_w; false if they disagree.
bool MatmulDims(const gert::Shape& x, const gert::Shape& w, bool transW, int64_t& m, int64_t& k, int64_t& n) {
    if (x.GetDimNum() < 1 || w.GetDimNum() != 2) return false;
    k = x.GetDim(x.GetDimNum() - 1);
    m = 1;
    for (size_t i = 0; i + 1 < x.GetDimNum(); ++i) m *= x.GetDim(i);
    const int64_t wk = transW ? w.GetDim(1) : w.GetDim(0);
    n = transW ? w.GetDim(0) : w.GetDim(1);
    return wk == k;
}
}  // namespace

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const bool* transW = context->GetAttrs()->GetBool(0);
    int64_t m = 0, k = 0, n = 0;
    if (transW == nullptr || !MatmulDims(context->GetInputShape(0)->GetStorageShape(),
                                         context->GetInputShape(1)->GetStorageShape(), *transW, m, k, n))
        return ge::GRAPH_FAILED;
    if (k < 1 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return ge::GRAPH_FAILED;
    const bool hasBias = context->GetOptionalInputTensor(2) != nullptr;
    const auto dtype = context->GetInputDesc(0)->GetDataType() == ge::DT_BF16 ? matmul_tiling::DataType::DT_BF16
                                                                               : matmul_tiling::DataType::DT_FLOAT16;
    platform_ascendc::PlatformAscendC platform(context->GetPlatformInfo());
    matmul_tiling::MultiCoreMatmulTiling mm(platform);
    mm.SetDim(static_cast<int32_t>(platform.GetCoreNumAic()));
    mm.SetAType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, dtype);
    mm.SetBType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, dtype, *transW);
    mm.SetCType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, dtype);
    mm.SetBiasType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT);
    mm.SetShape(static_cast<int32_t>(m), static_cast<int32_t>(n), static_cast<int32_t>(k));
    mm.SetOrgShape(static_cast<int32_t>(m), static_cast<int32_t>(n), static_cast<int32_t>(k));
    mm.SetBias(hasBias);
    // A cube-only kernel: its Matmul is the AIC's only client and plans with all of L1 (as every
    // multi-core tiling does, Note [Matmul tiling]); set here to say so.
    uint64_t l1 = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::L1, l1);
    mm.SetBufferSpace(static_cast<int32_t>(l1), -1, -1);
    MatmulCustomTilingData tiling;
    if (mm.GetTiling(tiling.cube) == -1) return ge::GRAPH_FAILED;
    tiling.set_hasBias(hasBias ? 1 : 0);
    context->SetBlockDim(static_cast<uint32_t>(tiling.cube.usedCoreNum));
    context->SetTilingKey(*transW ? 1 : 0);
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->GetWorkspaceSizes(1)[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) {
    const gert::Shape* x = context->GetInputShape(0);
    const gert::Shape* w = context->GetInputShape(1);
    const bool* transW = context->GetAttrs()->GetBool(0);
    int64_t m = 0, k = 0, n = 0;
    if (x == nullptr || w == nullptr || transW == nullptr || !MatmulDims(*x, *w, *transW, m, k, n)) return GRAPH_FAILED;
    gert::Shape* y = context->GetOutputShape(0);
    *y = *x;
    y->SetDim(x->GetDimNum() - 1, n);
    const gert::Shape* bias = context->GetOptionalInputShape(2);
    if (bias != nullptr && !(bias->GetDimNum() == 1 && bias->GetDim(0) == n)) return GRAPH_FAILED;
    return GRAPH_SUCCESS;
}
static graphStatus InferDataType(gert::InferDataTypeContext* context) {
    return context->SetOutputDataType(0, context->GetInputDataType(0));
}
}  // namespace ge

namespace ops {
class MatmulCustom : public OpDef {
public:
    explicit MatmulCustom(const char* name) : OpDef(name) {
        for (const char* input : {"x", "w"})
            this->Input(input).ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("bias").ParamType(OPTIONAL).DataType({ge::DT_FLOAT, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Attr("transpose_w").AttrType(OPTIONAL).Bool(false);
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(MatmulCustom);
}  // namespace ops
