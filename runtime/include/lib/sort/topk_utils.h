// opkit's lib/sort/topk_utils.h: the types TopK's kernel and host sides share (asc-devkit docs
// 高阶API/排序操作/TopK.md and TopK-Tiling.md; names and defaults as CANN's include/adv_api/sort/
// topk_utils.h and topk_utils_constants.h).
#pragma once

#include <cstdint>

namespace AscendC {

// TOPK_NORMAL: any inner that is a multiple of 32, up to 4096; TOPK_NSMALL: inner is exactly 32.
enum class TopKMode {
    TOPK_NORMAL,
    TOPK_NSMALL,
};

// TopKConfig belongs to the Ascend 950 form of TopK (radix select, order, sorted); the 910B forms
// opkit implements have no config parameter, as on the NPU.
enum class TopKAlgo { RADIX_SELECT, MERGE_SORT };
enum class TopKOrder { UNSET, LARGEST, SMALLEST };
struct TopKConfig {
    TopKAlgo algo = TopKAlgo::MERGE_SORT;
    TopKOrder order = TopKOrder::UNSET;
    bool sorted = true;
};

// The shape of TopK's source: outter rows of inner elements (n of them real, inner = n rounded up
// to a multiple of 32).
struct TopKInfo {
    int32_t outter = 1;
    int32_t inner;
    int32_t n;
};

}  // namespace AscendC
