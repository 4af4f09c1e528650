// CrashCustom, host side: passes the `mode` attr to a kernel built to crash (crash isolation tests).
// Modes 5-7 break the host side instead: 5 TilingFunc segfaults, 6 InferShape segfaults (for an input
// of 6 elements: InferShape sees shapes, not attrs), 7 TilingFunc fails with its reason on stderr.
#include <csignal>
#include <cstdio>

#include "crash_custom_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    CrashCustomTilingData tiling;
    const int64_t mode = *context->GetAttrs()->GetInt(0);
    if (mode == 5) std::raise(SIGSEGV);
    if (mode == 7) {
        std::fprintf(stderr, "CrashCustom tiling: mode 7 asks for a failure with this reason\n");
        return ge::GRAPH_FAILED;
    }
    tiling.set_mode(static_cast<int32_t>(mode));
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->SetBlockDim(2);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) {
    const gert::Shape* x = context->GetInputShape(0);
    if (x->GetDimNum() == 1 && x->GetDim(0) == 6) std::raise(SIGSEGV);
    *context->GetOutputShape(0) = *x;
    return GRAPH_SUCCESS;
}
}  // namespace ge

namespace ops {
class CrashCustom : public OpDef {
public:
    explicit CrashCustom(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Attr("mode").AttrType(OPTIONAL).Int(0);
        this->SetInferShape(ge::InferShape);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(CrashCustom);
}  // namespace ops
