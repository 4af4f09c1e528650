// CrashCustom, host side: passes the `mode` attr to a kernel built to crash (crash isolation tests).
#include "crash_custom_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    CrashCustomTilingData tiling;
    tiling.set_mode(static_cast<int32_t>(*context->GetAttrs()->GetInt(0)));
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->SetBlockDim(2);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ops {
class CrashCustom : public OpDef {
public:
    explicit CrashCustom(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Attr("mode").AttrType(OPTIONAL).Int(0);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(CrashCustom);
}  // namespace ops
