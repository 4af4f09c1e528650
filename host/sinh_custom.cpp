// SinhCustom, host side: registration, shape and dtype inference, tiling. y = sinh(x).
// The split is Note [Elementwise split] (host/elementwise_tiling.h); the kernel is kernels/sinh_custom.cpp.
#include "sinh_custom_tiling.h"
#include "elementwise_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const ge::DataType dt = context->GetInputDesc(0)->GetDataType();
    const uint32_t size = DTypeBytes(dt);
    // x and y double-buffered; three fp32 scratch tiles (four for fp16, which widens x) and the
    // Compare mask (one bit per element, rounded up generously to a byte).
    const uint32_t perElem = 2 * 2 * size + (dt == ge::DT_FLOAT ? 3 : 4) * 4 + 1;
    ElementwiseSplit split;
    if (SplitElementwise(context, size, perElem, split) != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
    SinhCustomTilingData tiling;
    return SaveElementwiseTiling(context, split, tiling);
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) { return optiling::InferSameShape(context, 1); }
static graphStatus InferDataType(gert::InferDataTypeContext* context) {
    return context->SetOutputDataType(0, context->GetInputDataType(0));
}
}  // namespace ge

namespace ops {
class SinhCustom : public OpDef {
public:
    explicit SinhCustom(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
        this->AICore().AddConfig("ascend910");
        this->AICore().AddConfig("ascend310p");
    }
};
OP_ADD(SinhCustom);
}  // namespace ops
