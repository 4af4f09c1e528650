// PickLast, host side: y[r] = x[r, last]. Registers no InferShape, as CANN's matmul samples do: the
// output's shape is the aclnn caller's, and the TilingFunc reads it (Note [aclnn outputs are the
// caller's] in runtime/src/host.cpp).
#include "pick_last_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const int64_t rows = context->GetOutputShape(0)->GetStorageShape().GetShapeSize();
    const int64_t total = context->GetInputShape(0)->GetStorageShape().GetShapeSize();
    if (rows <= 0 || total % rows != 0) return ge::GRAPH_FAILED;
    PickLastTilingData tiling;
    tiling.set_rows(static_cast<uint32_t>(rows));
    tiling.set_rowLength(static_cast<uint32_t>(total / rows));
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->SetBlockDim(1);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ops {
class PickLast : public OpDef {
public:
    explicit PickLast(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(PickLast);
}  // namespace ops
