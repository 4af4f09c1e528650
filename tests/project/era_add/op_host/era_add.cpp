// EraAdd: z = x + y, with the host functions a CANN 6.3/7.0-era op_host registers (Note [Graph-time
// host functions] in opkit/host/graph_api.h): TilingPrepare fills the compile info that OP_ADD's second
// argument names and the TilingFunc reads it; CheckOpSupport returns int32_t (that era's OP_CHECK_FUNC);
// InferShapeRange; the OpAICoreConfig flags of that era. std::cout with no <iostream>: CANN's register/
// headers include it. Test: pytest tests/project/test_era_host.py
#include "era_add_tiling.h"
#include "register/op_def_registry.h"

namespace optiling {
struct EraCompileInfo {
    uint32_t tileNum;   // set by TilingPrepare
    uint32_t prepared;  // how many times TilingPrepare ran on this object
};

static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const EraCompileInfo* info = context->GetCompileInfo<EraCompileInfo>();
    if (info == nullptr || info->tileNum == 0) {
        std::cout << "EraAdd: no compile info from TilingPrepare" << std::endl;
        return ge::GRAPH_FAILED;
    }
    EraAddTilingData tiling;
    tiling.set_totalLength(context->GetInputTensor(0)->GetShapeSize());
    tiling.set_tileNum(info->tileNum * info->prepared);  // prepared must be 1: TilingPrepare runs once
    context->SetBlockDim(8);
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    context->SetTilingKey(1);
    context->GetWorkspaceSizes(1)[0] = 0;
    return ge::GRAPH_SUCCESS;
}

ge::graphStatus TilingPrepare(gert::TilingParseContext* context) {
    EraCompileInfo* info = context->GetCompiledInfo<EraCompileInfo>();
    if (info == nullptr || context->GetCompiledJson() == nullptr || context->GetPlatformInfo() == nullptr)
        return ge::GRAPH_FAILED;
    info->tileNum = 4;
    info->prepared += 1;
    return ge::GRAPH_SUCCESS;
}

int32_t CheckOpSupport(const ge::Operator& op, ge::AscendString& result) {
    bool ok = op.GetInputDesc(0).GetDataType() == ge::DT_FLOAT16 && op.GetInputDesc(0).GetShape().GetShapeSize() % 1024 == 0;
    result = ge::AscendString(ok ? "{\"ret_code\": \"1\",\"reason\": \"ok\"}" : "{\"ret_code\": \"0\",\"reason\": \"size\"}");
    return ok ? 1 : 0;
}
}  // namespace optiling

static ge::graphStatus InferShape(gert::InferShapeContext* context) {
    *context->GetOutputShape(0) = *context->GetInputShape(0);
    return ge::GRAPH_SUCCESS;
}

static ge::graphStatus InferShapeRange(gert::InferShapeRangeContext* context) {
    *context->GetOutputShapeRange(0) = *context->GetInputShapeRange(0);
    return ge::GRAPH_SUCCESS;
}

static ge::graphStatus InferDataType(gert::InferDataTypeContext* context) {
    context->SetOutputDataType(0, context->GetInputDataType(0));
    return ge::GRAPH_SUCCESS;
}

namespace ops {
class EraAdd : public OpDef {
public:
    explicit EraAdd(const char* name) : OpDef(name) {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT16}).Format({ge::FORMAT_ND})
            .UnknownShapeFormat({ge::FORMAT_ND});
        this->Input("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT16}).Format({ge::FORMAT_ND})
            .UnknownShapeFormat({ge::FORMAT_ND});
        this->Output("z").ParamType(REQUIRED).DataType({ge::DT_FLOAT16}).Format({ge::FORMAT_ND})
            .UnknownShapeFormat({ge::FORMAT_ND});
        this->SetInferShape(InferShape).SetInferShapeRange(InferShapeRange).SetInferDataType(InferDataType);
        this->AICore()
            .SetTiling(optiling::TilingFunc)
            .SetTilingParse(optiling::TilingPrepare)
            .SetCheckSupport(optiling::CheckOpSupport);
        OpAICoreConfig config;
        config.AsyncFlag(true).DynamicCompileStaticFlag(true).DynamicShapeSupportFlag(true)
            .NeedCheckSupportFlag(true).RangeLimitValue("limited");
        this->AICore().AddConfig("ascend910", config);
        this->AICore().AddConfig("ascend910b", config);
    }
};

OP_ADD(EraAdd, optiling::EraCompileInfo);
}  // namespace ops
