// AddcdivCustom, host side: registration, shape and dtype inference, tiling. out = x + value * y / z.
// The split is Note [Elementwise split] (host/elementwise_tiling.h); the kernel is kernels/addcdiv_custom.cpp.
#include "addcdiv_custom_tiling.h"
#include "elementwise_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const ge::DataType dt = context->GetInputDesc(0)->GetDataType();
    const uint32_t size = DTypeBytes(dt);
    // x, y, z and out double-buffered; fp16 computes in fp32 through three scratch tiles.
    const uint32_t perElem = 4 * 2 * size + (dt == ge::DT_FLOAT ? 0 : 3 * 4);
    ElementwiseSplit split;
    if (SplitElementwise(context, size, perElem, split) != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
    const float* value = context->GetAttrs()->GetFloat(0);
    if (value == nullptr) return ge::GRAPH_FAILED;
    AddcdivCustomTilingData tiling;
    tiling.set_value(*value);
    return SaveElementwiseTiling(context, split, tiling);
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) { return optiling::InferSameShape(context, 3); }
static graphStatus InferDataType(gert::InferDataTypeContext* context) {
    return context->SetOutputDataType(0, context->GetInputDataType(0));
}
}  // namespace ge

namespace ops {
class AddcdivCustom : public OpDef {
public:
    explicit AddcdivCustom(const char* name) : OpDef(name) {
        for (const char* input : {"x", "y", "z"}) {
            this->Input(input)
                .ParamType(REQUIRED)
                .DataType({ge::DT_FLOAT16, ge::DT_FLOAT})
                .Format({ge::FORMAT_ND, ge::FORMAT_ND});
        }
        this->Output("out").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Attr("value").AttrType(OPTIONAL).Float(1.0);
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
        this->AICore().AddConfig("ascend910");
        this->AICore().AddConfig("ascend310p");
    }
};
OP_ADD(AddcdivCustom);
}  // namespace ops
