// ScaleGradCustom, host side: dx = scale * dy, ScaleCustom's gradient (its GRAD_OPS entry in
// mindspore_grad.py); x is only there because a grad op takes the forward inputs first.
#include "scale_grad_custom_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus GradTilingFunc(gert::TilingContext* context) {
    ScaleGradCustomTilingData tiling;
    tiling.set_n(static_cast<uint32_t>(context->GetInputShape(1)->GetStorageShape().GetShapeSize()));
    tiling.set_scale(*context->GetAttrs()->GetFloat(0));
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->SetBlockDim(1);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus GradInferShape(gert::InferShapeContext* context) {
    *context->GetOutputShape(0) = *context->GetInputShape(1);
    return GRAPH_SUCCESS;
}
}  // namespace ge

namespace ops {
class ScaleGradCustom : public OpDef {
public:
    explicit ScaleGradCustom(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Input("dy").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Output("dx").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Attr("scale").AttrType(OPTIONAL).Float(1.0);
        this->SetInferShape(ge::GradInferShape);
        this->AICore().SetTiling(optiling::GradTilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(ScaleGradCustom);
}  // namespace ops
