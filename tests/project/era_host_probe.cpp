// Drives EraAdd's graph-time host functions (Note [Graph-time host functions]) the way CANN's graph
// engine would: CheckSupport on two operator descriptions, InferShapeRange on one input range.
// Built with era_add/op_host/era_add.cpp by tests/project/test_era_host.py; prints one line per call.
#include <cstdio>

#include "register/op_def_registry.h"

static void Check(const ops::OpDef& def, int64_t n) {
    ge::Operator op("era", "EraAdd");
    op.AddInputDesc(ge::TensorDesc(ge::Shape({n}), ge::FORMAT_ND, ge::DT_FLOAT16));
    op.AddInputDesc(ge::TensorDesc(ge::Shape({n}), ge::FORMAT_ND, ge::DT_FLOAT16));
    ge::AscendString result;
    long long rc = static_cast<long long>(def.AICoreDef().CheckSupport()(op, result));
    std::printf("check %lld %lld %s\n", static_cast<long long>(n), rc, result.GetString());
}

int main() {
    const ops::OpDef* def = ops::FindOpDef("EraAdd");
    if (def == nullptr || !def->AICoreDef().CheckSupport() || def->InferShapeRangeFn() == nullptr) {
        std::printf("EraAdd or its CheckSupport/InferShapeRange is not registered\n");
        return 1;
    }
    Check(*def, 2048);
    Check(*def, 1000);
    gert::InferShapeRangeContext ctx({{gert::Shape({1, 16}), gert::Shape({8, 1024})}}, 1);
    if (def->InferShapeRangeFn()(&ctx) != ge::GRAPH_SUCCESS) return 1;
    const gert::Range<gert::Shape>* out = ctx.GetOutputShapeRange(0);
    std::printf("range %lld %lld %lld %lld\n", (long long)out->GetMin()->GetDim(0), (long long)out->GetMin()->GetDim(1),
                (long long)out->GetMax()->GetDim(0), (long long)out->GetMax()->GetDim(1));
    return 0;
}
