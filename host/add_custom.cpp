// AddCustom, host side: registration, shape and dtype inference, tiling. z = x + y.
// The split is Note [Elementwise split] (host/elementwise_tiling.h); the kernel is kernels/add_custom.cpp.
#include "add_custom_tiling.h"
#include "elementwise_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const ge::DataType dt = context->GetInputDesc(0)->GetDataType();
    const uint32_t size = DTypeBytes(dt);
    // x, y and z double-buffered; bf16 adds two fp32 scratch tiles (910B has no bf16 vector Add).
    const uint32_t perElem = 3 * 2 * size + (dt == ge::DT_BF16 ? 2 * 4 : 0);
    ElementwiseSplit split;
    if (SplitElementwise(context, size, perElem, split) != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
    AddCustomTilingData tiling;
    return SaveElementwiseTiling(context, split, tiling);
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) { return optiling::InferSameShape(context, 2); }
static graphStatus InferDataType(gert::InferDataTypeContext* context) {
    return context->SetOutputDataType(0, context->GetInputDataType(0));
}
}  // namespace ge

namespace ops {
class AddCustom : public OpDef {
public:
    explicit AddCustom(const char* name) : OpDef(name) {
        for (const char* input : {"x", "y"}) {
            this->Input(input)
                .ParamType(REQUIRED)
                .DataType({ge::DT_FLOAT16, ge::DT_FLOAT, ge::DT_BF16})
                .Format({ge::FORMAT_ND, ge::FORMAT_ND, ge::FORMAT_ND});
        }
        this->Output("z")
            .ParamType(REQUIRED)
            .DataType({ge::DT_FLOAT16, ge::DT_FLOAT, ge::DT_BF16})
            .Format({ge::FORMAT_ND, ge::FORMAT_ND, ge::FORMAT_ND});
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
        // 910A and 310P have no bfloat16: their configs list float16 and float32 alone (Note [Registered SoCs])
        OpAICoreConfig noBf16;
        for (const char* input : {"x", "y"})
            noBf16.Input(input).ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        noBf16.Output("z").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->AICore().AddConfig("ascend910", noBf16);
        this->AICore().AddConfig("ascend310p", noBf16);
    }
};
OP_ADD(AddCustom);
}  // namespace ops
