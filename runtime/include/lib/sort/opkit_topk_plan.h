// opkit: TopK's numbers on 910B-class SoCs (arch 2201), shared by the host queries (lib/sort/
// topk_tiling.h) and the kernel (lib/sort/topk.h): the TopkTiling fields and the temporary-buffer
// minimum. The values are CANN's (asc-devkit impl/adv_api/tiling/sort/topk_tiling_impl.cpp, read for
// facts), so a tiling made by CANN and one made by opkit are the same bytes. How the kernel uses each
// field: Note [TopK on 910B] in lib/sort/opkit_topk_impl.h.
#pragma once

#include "lib/sort/topk_tilingdata.h"
#include "lib/sort/topk_utils.h"

namespace AscendC {
namespace detail {

// Bits `first`, first + step, ... (count of them) set in a word of W bits, from bit 0 up.
template <typename W>
W TopKEvery(uint32_t step, int32_t count, uint32_t first = 0) {
    W w = 0;
    for (int32_t i = 0; i < count; ++i) w = W(w | (W(1) << (first + step * uint32_t(i))));
    return w;
}
inline int32_t TopKClamp(int32_t v, int32_t hi) { return v < 0 ? 0 : (v > hi ? hi : v); }

// The TopkTiling TopKTilingFunc gives on arch 2201. Sizes and offsets count elements of T.
inline TopkTiling TopKPlan(int32_t inner, int32_t outter, int32_t k, uint32_t typeSize, bool isInitIndex, TopKMode mode,
                           bool isLargest) {
    TopkTiling t;
    const int32_t perRecord = int32_t(8 / typeSize);  // elements of T in one 8-byte (score, index) record
    const int32_t ts = int32_t(typeSize);
    t.allDataSize = inner * outter;
    t.kAlignFourBytes = (k + 7) / 8 * 8;
    if (mode == TopKMode::TOPK_NORMAL) {
        t.innerDataSize = inner * perRecord;  // one sorted row
        t.tmpLocalSize = 2 * t.innerDataSize;  // two of them, merged back and forth
        if (!isInitIndex) {
            t.srcIndexOffset = t.tmpLocalSize;  // then the generated indices 0..inner-1
            t.tmpLocalSize += inner * 4 / ts;
        }
        t.copyUbToUbBlockCount = uint32_t(inner * 8 / 32);
        t.sortRepeat = uint32_t(inner / 32);
        t.mrgSortRepeat = inner / 4;
        t.kAlignTwoBytes = (k + 15) / 16 * 16;
        t.maskOffset = outter * (typeSize == 2 ? t.kAlignTwoBytes : t.kAlignFourBytes);
        t.maskVreducev2FourBytes = 2 * k;
        t.maskVreducev2TwoBytes = 4 * k;
        t.mrgSortSrc1offset = perRecord;
        t.mrgSortSrc2offset = 2 * perRecord;
        t.mrgSortSrc3offset = 3 * perRecord;
        t.mrgSortTwoQueueSrc1Offset = perRecord;
        t.mrgFourQueueTailPara1 = 2 * inner;
        t.mrgFourQueueTailPara2 = 4 / ts;
        return t;
    }
    t.innerDataSize = inner * outter * perRecord;  // all rows sorted at once
    t.maskOffset = outter * k;
    // then, for the smallest k, the negated source (inner*outter elements), then 64 bytes of patterns
    t.topkMrgSrc1MaskSizeOffset = t.innerDataSize + (isLargest ? 0 : inner * outter);
    t.tmpLocalSize = t.topkMrgSrc1MaskSizeOffset + 64 / ts;
    if (!isInitIndex) {
        t.topkNSmallSrcIndexOffset = t.tmpLocalSize;  // then the indices, 0..31 on every row
        t.tmpLocalSize += inner * outter * 4 / ts;
    }
    // GatherMask patterns over one row's 32 records: float scores are the even 4-byte words, indices
    // the odd ones (two 32-bit words for 32 records); half scores are every 4th 2-byte word.
    t.vreduceIdxMask0 = TopKEvery<uint32_t>(2, TopKClamp(k, 16), 1);
    t.vreduceIdxMask1 = TopKEvery<uint32_t>(2, TopKClamp(k - 16, 16), 1);
    if (typeSize == 4) {
        t.vreduceValMask0 = TopKEvery<uint32_t>(2, TopKClamp(k, 16));
        t.vreduceValMask1 = TopKEvery<uint32_t>(2, TopKClamp(k - 16, 16));
    } else {
        auto word = [&](int32_t i) { return TopKEvery<uint16_t>(4, TopKClamp(k - 4 * i, 4)); };  // records 4i..4i+3
        t.vreducehalfValMask0 = word(0);
        t.vreducehalfValMask1 = word(1);
        t.vreducehalfValMask2 = word(2);
        t.vreducehalfValMask3 = word(3);
        t.vreducehalfValMask4 = word(4);
        t.vreducehalfValMask5 = word(5);
        t.vreducehalfValMask6 = word(6);
        t.vreducehalfValMask7 = word(7);
    }
    return t;
}

// GetTopKMaxMinTmpSize's minValue (= maxValue) on arch 2201, in bytes.
inline uint32_t TopKTmpBytes(int32_t inner, int32_t outter, bool isInitIndex, TopKMode mode, bool isLargest) {
    const uint32_t in = uint32_t(inner), all = uint32_t(inner) * uint32_t(outter);
    if (mode == TopKMode::TOPK_NORMAL) return 16 * in + (isInitIndex ? 0 : 4 * in);
    return all * 8 + 64 + (isLargest ? 0 : all * 4) + (isInitIndex ? 0 : all * 4);
}

}  // namespace detail
}  // namespace AscendC
