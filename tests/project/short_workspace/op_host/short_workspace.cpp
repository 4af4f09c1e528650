// ShortWorkspace, host side: asks for the system workspace plus a user part whose size is an int
// product that overflows to 0 (g++ warns with -Woverflow), so the kernel's GetUserWorkspace area is
// empty. `opkit build` must print the warning, and the kernel's write must fail naming the sizes.
#include "register/op_def_registry.h"
#include "tiling/platform/platform_ascendc.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    const size_t userBytes = 65536 * 65536;  // meant 4 GiB; int arithmetic gives 0
    size_t* sizes = context->GetWorkspaceSizes(1);
    sizes[0] = platform.GetLibApiWorkSpaceSize() + userBytes;
    context->SetBlockDim(1);
    context->GetRawTilingData()->SetDataSize(0);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ops {
class ShortWorkspace : public OpDef {
public:
    explicit ShortWorkspace(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(ShortWorkspace);
}  // namespace ops
