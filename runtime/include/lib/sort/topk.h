// opkit's lib/sort/topk.h: TopK (高阶API/排序操作/TopK.md), the k largest or smallest scores of each
// row of an [outter, inner] half or float tensor and their indices, on 910B-class SoCs: the
// MERGE_SORT forms, TopKMode::TOPK_NORMAL and TOPK_NSMALL, with a tmpLocal or with the temporary
// the API takes itself (Note [High-level temporary buffers]). Built on Sort32, MrgSort, GatherMask,
// Copy and CreateVecIndex: Note [TopK on 910B] in lib/sort/opkit_topk_impl.h. Kernels get it through
// kernel_operator.h, as CANN's kernel_api.h includes its sort/topk.h.
//
// Tested by: pytest tests/hlapi/test_topk.py
#pragma once

#include "lib/sort/opkit_topk_impl.h"
#include "lib/sort/topk_utils.h"

namespace AscendC {

// soc: 910B
template <typename T, bool isInitIndex = false, bool isHasfinish = false, bool isReuseSrc = false,
          enum TopKMode topkMode = TopKMode::TOPK_NORMAL>
__aicore__ inline void TopK(const LocalTensor<T>& dstValueLocal, const LocalTensor<int32_t>& dstIndexLocal,
                            const LocalTensor<T>& srcLocal, const LocalTensor<int32_t>& srcIndexLocal,
                            const LocalTensor<bool>& finishLocal, const LocalTensor<uint8_t>& tmpLocal, const int32_t k,
                            const TopkTiling& tilling, const TopKInfo& topKInfo, const bool isLargest = true) {
    (void)isReuseSrc;  // reserved on 910B
    detail::TopKImpl<T, isInitIndex, isHasfinish, topkMode>(dstValueLocal, dstIndexLocal, srcLocal, srcIndexLocal,
                                                            finishLocal, &tmpLocal, k, tilling, topKInfo, isLargest);
}

// soc: 910B
template <typename T, bool isInitIndex = false, bool isHasfinish = false, bool isReuseSrc = false,
          enum TopKMode topkMode = TopKMode::TOPK_NORMAL>
__aicore__ inline void TopK(const LocalTensor<T>& dstValueLocal, const LocalTensor<int32_t>& dstIndexLocal,
                            const LocalTensor<T>& srcLocal, const LocalTensor<int32_t>& srcIndexLocal,
                            const LocalTensor<bool>& finishLocal, const int32_t k, const TopkTiling& tilling,
                            const TopKInfo& topKInfo, const bool isLargest = true) {
    (void)isReuseSrc;
    detail::TopKImpl<T, isInitIndex, isHasfinish, topkMode>(dstValueLocal, dstIndexLocal, srcLocal, srcIndexLocal,
                                                            finishLocal, nullptr, k, tilling, topKInfo, isLargest);
}

}  // namespace AscendC
