// opkit's lib/sort/topk_tiling.h: TopK's host side (高阶API/排序操作/TopK-Tiling.md):
// GetTopKMaxMinTmpSize and TopKTilingFunc for 910B-class SoCs (arch 2201), with CANN's numbers
// (lib/sort/opkit_topk_plan.h). Where CANN's host check only logs and carries on, opkit refuses: a
// bad argument throws with a message naming the call, the argument and the rule.
//
// Tested by: pytest tests/hlapi/test_topk.py -k "query or tiling"
#pragma once

#include <string>

#include "lib/sort/opkit_topk_plan.h"
#include "opkit/rt/api.h"
#include "tiling/platform/platform_ascendc.h"

namespace AscendC {
namespace detail {
inline void TopKHostCheck(const char* call, const platform_ascendc::PlatformAscendC& platform, int32_t inner,
                          int32_t outter, TopKMode mode, uint32_t typeSize) {
    const std::string where = std::string(call) + ": ";
    const opkit::rt::SocInfo& soc = platform.OpkitSoc();
    if (soc.arch != 2201)
        opkit::rt::Fail(where + "opkit implements TopK for Atlas A2/A3 (arch 2201, Ascend910B*) only; the platform is " +
                        soc.name + " (arch " + std::to_string(soc.arch) + ")");
    if (typeSize != 2 && typeSize != 4)
        opkit::rt::Fail(where + "dataTypeSize " + std::to_string(typeSize) + " is not 2 (half) or 4 (float)");
    if (inner <= 0 || inner % 32 != 0)
        opkit::rt::Fail(where + "inner " + std::to_string(inner) + " must be a positive multiple of 32 (n padded up)");
    if (mode == TopKMode::TOPK_NSMALL && inner != 32)
        opkit::rt::Fail(where + "inner " + std::to_string(inner) + " must be 32 in TopKMode::TOPK_NSMALL");
    if (mode == TopKMode::TOPK_NORMAL && inner > 4096)
        opkit::rt::Fail(where + "inner " + std::to_string(inner) + " exceeds 4096, the most TopKMode::TOPK_NORMAL takes");
    if (outter <= 0)
        opkit::rt::Fail(where + "outter " + std::to_string(outter) + " must be at least 1");
    uint64_t ub = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ub);
    const uint64_t bytes = uint64_t(inner) * uint64_t(outter) * typeSize;
    if (bytes > ub)
        opkit::rt::Fail(where + "the source, " + std::to_string(outter) + " x " + std::to_string(inner) + " elements of " +
                        std::to_string(typeSize) + " bytes = " + std::to_string(bytes) + " bytes, does not fit in UB (" +
                        std::to_string(ub) + " bytes)");
}
}  // namespace detail

// soc: 910B
inline bool GetTopKMaxMinTmpSize(const platform_ascendc::PlatformAscendC& ascendcPlatform, const int32_t inner,
                                 const int32_t outter, const bool isReuseSource, const bool isInitIndex, enum TopKMode mode,
                                 const bool isLargest, const uint32_t dataTypeSize, uint32_t& maxValue, uint32_t& minValue) {
    (void)isReuseSource;  // reserved on 910B
    detail::TopKHostCheck("GetTopKMaxMinTmpSize", ascendcPlatform, inner, outter, mode, dataTypeSize);
    minValue = maxValue = detail::TopKTmpBytes(inner, outter, isInitIndex, mode, isLargest);
    return true;
}

// soc: 910B
inline bool TopKTilingFunc(const platform_ascendc::PlatformAscendC& ascendcPlatform, const int32_t inner,
                           const int32_t outter, const int32_t k, const uint32_t dataTypeSize, const bool isInitIndex,
                           enum TopKMode mode, const bool isLargest, optiling::TopkTiling& topKTiling) {
    detail::TopKHostCheck("TopKTilingFunc", ascendcPlatform, inner, outter, mode, dataTypeSize);
    if (k < 1 || k > inner)
        opkit::rt::Fail("TopKTilingFunc: k " + std::to_string(k) + " is outside 1.." + std::to_string(inner) + " (inner)");
    topKTiling = detail::TopKPlan(inner, outter, k, dataTypeSize, isInitIndex, mode, isLargest);
    return true;
}

}  // namespace AscendC
