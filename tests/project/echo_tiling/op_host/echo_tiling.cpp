// EchoTiling, host side: fills a tiling struct of mixed field widths from the input and the attr.
#include "echo_tiling_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    EchoTilingTilingData tiling;
    tiling.set_tag(0xA5);
    tiling.set_shortValue(-1234);
    tiling.set_scale(*context->GetAttrs()->GetFloat(0));
    tiling.set_length(context->GetInputShape(0)->GetStorageShape().GetShapeSize() + (uint64_t(1) << 40));
    const int32_t triple[3] = {7, -8, 9};
    tiling.set_triple(triple);
    tiling.set_last(0x5A);
    tiling.set_odd(0x33);
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->SetBlockDim(1);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) {
    *context->GetOutputShape(0) = gert::Shape({64});
    return GRAPH_SUCCESS;
}
}  // namespace ge

namespace ops {
class EchoTiling : public OpDef {
public:
    explicit EchoTiling(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_UINT8}).Format({ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_UINT8}).Format({ge::FORMAT_ND});
        this->Attr("scale").AttrType(OPTIONAL).Float(0.5);
        this->SetInferShape(ge::InferShape);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(EchoTiling);
}  // namespace ops
