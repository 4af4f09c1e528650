// opkit's lib/sort/topk_tilingdata.h: TopkTiling, the tiling of TopK (高阶API/排序操作/TopK-Tiling.md),
// with the documented fields in the documented order (24 four-byte fields, then 8 uint16: 112
// bytes). One type serves host (optiling::TopkTiling, filled by TopKTilingFunc) and kernel
// (AscendC::tiling::TopkTiling, ::TopkTiling), as Note [One TCubeTiling] explains for matmul.
#pragma once

#include "register/tilingdata_base.h"

// X(type, name) for every field, in order; the kernel uses it to name a field that differs from
// what TopKTilingFunc gives for the call (Note [TopK on 910B] in lib/sort/opkit_topk_impl.h).
#define OPKIT_TOPK_TILING_FIELDS(X)        \
    X(int32_t, tmpLocalSize)               \
    X(int32_t, allDataSize)                \
    X(int32_t, innerDataSize)              \
    X(uint32_t, sortRepeat)                \
    X(int32_t, mrgSortRepeat)              \
    X(int32_t, kAlignFourBytes)            \
    X(int32_t, kAlignTwoBytes)             \
    X(int32_t, maskOffset)                 \
    X(int32_t, maskVreducev2FourBytes)     \
    X(int32_t, maskVreducev2TwoBytes)      \
    X(int32_t, mrgSortSrc1offset)          \
    X(int32_t, mrgSortSrc2offset)          \
    X(int32_t, mrgSortSrc3offset)          \
    X(int32_t, mrgSortTwoQueueSrc1Offset)  \
    X(int32_t, mrgFourQueueTailPara1)      \
    X(int32_t, mrgFourQueueTailPara2)      \
    X(int32_t, srcIndexOffset)             \
    X(uint32_t, copyUbToUbBlockCount)      \
    X(int32_t, topkMrgSrc1MaskSizeOffset)  \
    X(int32_t, topkNSmallSrcIndexOffset)   \
    X(uint32_t, vreduceValMask0)           \
    X(uint32_t, vreduceValMask1)           \
    X(uint32_t, vreduceIdxMask0)           \
    X(uint32_t, vreduceIdxMask1)           \
    X(uint16_t, vreducehalfValMask0)       \
    X(uint16_t, vreducehalfValMask1)       \
    X(uint16_t, vreducehalfValMask2)       \
    X(uint16_t, vreducehalfValMask3)       \
    X(uint16_t, vreducehalfValMask4)       \
    X(uint16_t, vreducehalfValMask5)       \
    X(uint16_t, vreducehalfValMask6)       \
    X(uint16_t, vreducehalfValMask7)

namespace optiling {
BEGIN_TILING_DATA_DEF(TopkTiling)
OPKIT_TOPK_TILING_FIELDS(TILING_DATA_FIELD_DEF)
END_TILING_DATA_DEF;
}  // namespace optiling

using TopkTiling = optiling::TopkTiling;
namespace AscendC {
namespace tiling {
using TopkTiling = optiling::TopkTiling;
}  // namespace tiling
}  // namespace AscendC
static_assert(sizeof(TopkTiling) == 24 * 4 + 8 * 2, "TopkTiling is 24 four-byte and 8 two-byte packed fields");
