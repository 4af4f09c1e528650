// opkit: TopK on 910B-class SoCs (lib/sort/topk.h), written in opkit's basic vector instructions so
// npu_simulator checks and costs every step.
//
// Note [TopK on 910B]: (asc-devkit docs 高阶API/排序操作/TopK.md, TopK-Tiling.md; the steps and buffer
// layout are those of CANN's arch-2201 implementation, impl/adv_api/detail/sort/topk/, read for facts)
//   Per row, the k largest (isLargest) or smallest scores of `inner` and their indices, highest
//   first (smallest first for the smallest k). Sorting is Sort32 + MrgSort on 8-byte (score, index)
//   records (Note [Sort regions], runtime/src/vec_sort.cpp); for the smallest k the scores are
//   negated first and the k results negated back, so the order rules are the sort's:
//   - equal scores: the earlier position comes first (TopK.md: srcLocal[i] == srcLocal[j], i > j:
//     j first), whichever way; the index output is whatever srcIndexLocal holds at that position;
//   - NaN comes first both ways (TopK.md), and comes out as NaN; +-inf are ordinary extremes.
//   Indices: isInitIndex = false makes 0..inner-1 (CANN uses ArithProgression, opkit CreateVecIndex:
//   the same values, a few more scalar writes); true takes srcIndexLocal ([inner] shared by all rows
//   in NORMAL, [outter, inner] in NSMALL).
//
//   NORMAL, one row at a time (temporary: two regions of inner records, R0 and R1, then the indices):
//     Sort32 -> R0 (inner/32 runs of 32); copy R0 -> R1
//     while 4z <= inner: MrgSort of 4 runs of z (inner/4z repeats) into the other region, copy it
//       back over the first (both then agree, tail runs included), z *= 4
//     the runs left (z, then z/4, ... each at most 3 times) are merged into the sorted prefix one by
//       one with 2-list MrgSorts, each list cut to its first k records, ping-ponging R0/R1
//     GatherMask the scores (float: even words, half: every 4th) and the indices (odd words) of the
//       first k records into dstValue[row*kPad] and dstIndex[row*kPadIndex]
//     isHasfinish and finishLocal[row]: the row's k indices become n (Duplicate)
//   NSMALL (inner = 32), all rows at once: one Sort32 of outter repeats, then one GatherMask per output
//   with a user pattern written by the scalar unit into the temporary (V->S, SetValue, S->V), 64/128
//   elements a repeat, so the results come out packed: [outter, k].
//   kPad = k rounded up to a 32-byte block of T, kPadIndex to 8; the rest of each padded row is left as
//   it was (and, for the smallest k, negated with the rest: the final Muls spans outter*kPad).
//
//   The tiling: its fields are the offsets and counts above (lib/sort/opkit_topk_plan.h). The NPU
//   uses whatever it is given; a tiling made for another k, shape, dtype, mode, isInitIndex or
//   isLargest there writes in the wrong places. opkit recomputes it for the call and refuses a
//   mismatch, naming the first field that differs and the TopKTilingFunc arguments that fit.
//   Other refusals (CANN's kernel check, made always): 1 <= k <= n <= inner, inner a multiple of 32,
//   <= 4096 (NORMAL) or == 32 (NSMALL); tensors too small for the shapes above; src overlapping a
//   destination (TopK.md forbids it); a temporary smaller than GetTopKMaxMinTmpSize's minValue.
//   NSMALL also needs outter <= 255, Sort32's repeat limit (CANN does not check; the NPU would
//   wrap the 8-bit repeat count).
//
// Tested by: pytest tests/hlapi/test_topk.py
#pragma once

#include <string>

#include "lib/sort/opkit_topk_plan.h"
#include "opkit/kernel/hl_tmp.h"
#include "opkit/kernel/sync.h"
#include "opkit/kernel/vec_gather.h"
#include "opkit/kernel/vec_index.h"
#include "opkit/kernel/vec_sort.h"

namespace AscendC {
namespace detail {

inline std::string TopKModeName(TopKMode m) {
    return m == TopKMode::TOPK_NORMAL ? "TopKMode::TOPK_NORMAL" : "TopKMode::TOPK_NSMALL";
}

// The first field where `got` differs from `want`, or nullptr.
inline const char* TopKTilingDiff(const TopkTiling& got, const TopkTiling& want) {
#define OPKIT_TOPK_DIFF(type, name) \
    if (got.name != want.name) return #name;
    OPKIT_TOPK_TILING_FIELDS(OPKIT_TOPK_DIFF)
#undef OPKIT_TOPK_DIFF
    return nullptr;
}
inline int64_t TopKTilingField(const TopkTiling& t, const char* field) {
#define OPKIT_TOPK_FIELD(type, name) \
    if (std::string(field) == #name) return int64_t(t.name);
    OPKIT_TOPK_TILING_FIELDS(OPKIT_TOPK_FIELD)
#undef OPKIT_TOPK_FIELD
    return 0;
}

template <typename A, typename B>
bool TopKOverlap(const LocalTensor<A>& a, uint64_t an, const LocalTensor<B>& b, uint64_t bn) {
    return Overlap(a.addr_, an * sizeof(A), b.addr_, bn * sizeof(B));
}

template <typename T>
void TopKNeed(const char* what, uint64_t have, uint64_t need, const std::string& why) {
    if (have < need)
        opkit::rt::Fail("TopK: " + std::string(what) + " holds " + HlNum(have) + " elements, but needs " + HlNum(need) +
                        " (" + why + ")");
}

// Every check of Note [TopK on 910B] but the temporary's; returns the tiling the call needs.
template <typename T, bool isInitIndex, bool isHasfinish, TopKMode mode>
TopkTiling TopKCheck(const LocalTensor<T>& dstValue, const LocalTensor<int32_t>& dstIndex, const LocalTensor<T>& src,
                     const LocalTensor<int32_t>& srcIndex, const LocalTensor<bool>& finish, int32_t k,
                     const TopkTiling& tiling, const TopKInfo& info, bool isLargest) {
    const std::string shape = "topKInfo {outter " + std::to_string(info.outter) + ", inner " +
                              std::to_string(info.inner) + ", n " + std::to_string(info.n) + "}";
    if (info.inner <= 0 || info.inner % 32 != 0)
        opkit::rt::Fail("TopK: " + shape + ": inner must be a positive multiple of 32 (n padded up to 32)");
    if (mode == TopKMode::TOPK_NORMAL && info.inner > 4096)
        opkit::rt::Fail("TopK: " + shape + ": inner exceeds 4096, the most TopKMode::TOPK_NORMAL takes");
    if (mode == TopKMode::TOPK_NSMALL && info.inner != 32)
        opkit::rt::Fail("TopK: " + shape + ": inner must be 32 in TopKMode::TOPK_NSMALL");
    if (info.n < 1 || info.n > info.inner)
        opkit::rt::Fail("TopK: " + shape + ": n must lie in 1..inner");
    if (info.outter < 1 || (mode == TopKMode::TOPK_NSMALL && info.outter > 255))
        opkit::rt::Fail("TopK: " + shape + ": outter must lie in 1.." +
                        (mode == TopKMode::TOPK_NSMALL ? "255 in TopKMode::TOPK_NSMALL (one Sort32 sorts every row, "
                                                         "and its repeat count is 8 bits)"
                                                       : std::string("2^31")));
    if (k < 1 || k > info.n)
        opkit::rt::Fail("TopK: k " + std::to_string(k) + " is outside 1..n (" + shape + ")");
    const uint64_t outter = uint64_t(info.outter), inner = uint64_t(info.inner), uk = uint64_t(k);
    const bool small = mode == TopKMode::TOPK_NSMALL;
    const uint64_t kPad = small ? uk : (uk + 32 / sizeof(T) - 1) / (32 / sizeof(T)) * (32 / sizeof(T));
    const uint64_t kPadIndex = small ? uk : (uk + 7) / 8 * 8;
    TopKNeed<T>("srcLocal", src.GetSize(), outter * inner, "outter x inner");
    TopKNeed<T>("dstValueLocal", dstValue.GetSize(), outter * kPad,
                small ? "outter x k" : "outter x k rounded up to a 32-byte block");
    TopKNeed<T>("dstIndexLocal", dstIndex.GetSize(), outter * kPadIndex,
                small ? "outter x k" : "outter x k rounded up to 8");
    if (isInitIndex)
        TopKNeed<T>("srcIndexLocal", srcIndex.GetSize(), small ? outter * inner : inner,
                    small ? "outter x inner indices in TopKMode::TOPK_NSMALL" : "inner indices, shared by every row");
    if (isHasfinish) TopKNeed<T>("finishLocal", finish.GetSize(), outter, "one flag a row");
    if (TopKOverlap(src, outter * inner, dstValue, outter * kPad) ||
        TopKOverlap(src, outter * inner, dstIndex, outter * kPadIndex))
        opkit::rt::Fail("TopK: srcLocal overlaps dstValueLocal or dstIndexLocal; TopK.md does not allow source and "
                        "destination to overlap");
    const TopkTiling want = TopKPlan(info.inner, info.outter, k, sizeof(T), isInitIndex, mode, isLargest);
    if (const char* field = TopKTilingDiff(tiling, want))
        opkit::rt::Fail("TopK: the TopkTiling does not fit this call: " + std::string(field) + " is " +
                        std::to_string(TopKTilingField(tiling, field)) + ", this call needs " +
                        std::to_string(TopKTilingField(want, field)) + "; make it with TopKTilingFunc(platform, inner " +
                        std::to_string(info.inner) + ", outter " + std::to_string(info.outter) + ", k " +
                        std::to_string(k) + ", dataTypeSize " + std::to_string(sizeof(T)) + ", isInitIndex " +
                        (isInitIndex ? "true" : "false") + ", " + TopKModeName(mode) + ", isLargest " +
                        (isLargest ? "true" : "false") + ", tiling)");
    return want;
}

template <typename T>
void TopKGatherRow(const LocalTensor<T>& dstValue, const LocalTensor<int32_t>& dstIndex, const LocalTensor<T>& sorted,
                   const TopkTiling& t) {
    uint64_t count = 0;
    const GatherMaskParams one(1, 1, DEFAULT_REPEAT_STRIDE, 1);
    if constexpr (sizeof(T) == 4) {
        GatherMask(dstValue, sorted, uint8_t(1), true, uint32_t(t.maskVreducev2FourBytes), one, count);  // even words
    } else {
        GatherMask(dstValue, sorted, uint8_t(3), true, uint32_t(t.maskVreducev2TwoBytes), one, count);  // 1st of 4
    }
    PipeBarrier<PIPE_V>();
    GatherMask(dstIndex.template ReinterpretCast<float>(), sorted.template ReinterpretCast<float>(), uint8_t(2), true,
               uint32_t(t.maskVreducev2FourBytes), one, count);  // odd words
    PipeBarrier<PIPE_V>();
}

// NORMAL: one row after another (Note [TopK on 910B]).
template <typename T, bool isInitIndex, bool isHasfinish>
void TopKNormal(const LocalTensor<T>& dstValue, const LocalTensor<int32_t>& dstIndex, const LocalTensor<T>& src,
                const LocalTensor<int32_t>& srcIndex, const LocalTensor<bool>& finish, const LocalTensor<uint8_t>& tmp,
                int32_t k, const TopkTiling& t, const TopKInfo& info, bool isLargest) {
    const uint32_t inner = uint32_t(info.inner), uk = uint32_t(k);
    const LocalTensor<T> work = tmp.ReinterpretCast<T>();
    const LocalTensor<T> region[2] = {work, work[t.innerDataSize]};
    LocalTensor<uint32_t> index;
    if constexpr (isInitIndex) {
        index = srcIndex.template ReinterpretCast<uint32_t>();
    } else {
        CreateVecIndex(work[t.srcIndexOffset].template ReinterpretCast<int32_t>(), int32_t(0), inner);
        PipeBarrier<PIPE_V>();
        index = work[t.srcIndexOffset].template ReinterpretCast<uint32_t>();
    }
    const DataCopyParams wholeRegion(uint16_t(t.copyUbToUbBlockCount), 1, 0, 0);
    for (int32_t row = 0; row < info.outter; ++row) {
        const LocalTensor<T> scores = src[uint32_t(row) * inner];
        if (isLargest) {
            Sort32(region[0], scores, index, int32_t(t.sortRepeat));
        } else {
            Muls(region[1], scores, T(-1), int32_t(inner));
            PipeBarrier<PIPE_V>();
            Sort32(region[0], region[1], index, int32_t(t.sortRepeat));
        }
        PipeBarrier<PIPE_V>();
        DataCopy(region[1], region[0], wholeRegion);
        PipeBarrier<PIPE_V>();
        int cur = 0;
        uint32_t z = 32;
        for (; 4 * z <= inner; z *= 4) {  // 4-way merges of runs of z
            const LocalTensor<T>& from = region[cur];
            const uint16_t lens[4] = {uint16_t(z), uint16_t(z), uint16_t(z), uint16_t(z)};
            const MrgSortSrcList<T> lists(from, from[z * t.mrgSortSrc1offset], from[z * t.mrgSortSrc2offset],
                                          from[z * t.mrgSortSrc3offset]);
            MrgSort(region[1 - cur], lists, MrgSort4Info(lens, false, 15, uint16_t(uint32_t(t.mrgSortRepeat) / z)));
            PipeBarrier<PIPE_V>();
            DataCopy(from, region[1 - cur], wholeRegion);
            PipeBarrier<PIPE_V>();
            cur = 1 - cur;
        }
        if (z < inner) {  // the runs left after the 4-way passes, merged into the prefix one by one
            uint32_t runs[16], count = 0, left = inner;
            for (uint32_t len = z; len >= 32; len /= 4)
                while (left >= len) runs[count++] = len, left -= len;
            uint32_t done = runs[0];
            for (uint32_t i = 1; i < count; ++i) {
                const LocalTensor<T>& from = region[cur];
                const uint16_t lens[4] = {uint16_t(done < uk ? done : uk), uint16_t(runs[i] < uk ? runs[i] : uk), 0, 0};
                const MrgSortSrcList<T> lists(from, from[done * t.mrgSortTwoQueueSrc1Offset], from, from);
                MrgSort(region[1 - cur], lists, MrgSort4Info(lens, false, 3, 1));
                PipeBarrier<PIPE_V>();
                done += runs[i];
                cur = 1 - cur;
            }
        }
        const uint32_t valueRow = uint32_t(row) * uint32_t(sizeof(T) == 4 ? t.kAlignFourBytes : t.kAlignTwoBytes);
        const uint32_t indexRow = uint32_t(row) * uint32_t(t.kAlignFourBytes);
        TopKGatherRow(dstValue[valueRow], dstIndex[indexRow], region[cur], t);
        if constexpr (isHasfinish) {
            const bool finished = finish.GetValue(uint32_t(row));
            const int8_t ev = GetTPipePtr()->FetchEventID(HardEvent::S_V);
            SetFlag<HardEvent::S_V>(ev);
            WaitFlag<HardEvent::S_V>(ev);
            if (finished) Duplicate(dstIndex[indexRow], int32_t(info.n), k);
            PipeBarrier<PIPE_V>();
        }
    }
}

// NSMALL: every row of 32 at once (Note [TopK on 910B]).
template <typename T, bool isInitIndex>
void TopKSmall(const LocalTensor<T>& dstValue, const LocalTensor<int32_t>& dstIndex, const LocalTensor<T>& src,
               const LocalTensor<int32_t>& srcIndex, const LocalTensor<uint8_t>& tmp, const TopkTiling& t,
               const TopKInfo& info, bool isLargest) {
    const LocalTensor<T> work = tmp.ReinterpretCast<T>();
    LocalTensor<uint32_t> index;
    if constexpr (isInitIndex) {
        index = srcIndex.template ReinterpretCast<uint32_t>();
    } else {
        const LocalTensor<int32_t> gen = work[t.topkNSmallSrcIndexOffset].template ReinterpretCast<int32_t>();
        CreateVecIndex(gen, int32_t(0), uint32_t(info.inner));
        PipeBarrier<PIPE_V>();
        if (info.outter > 1) {  // row 0 copied to rows 1.. (4 blocks a repeat, source repeat stride 0)
            Copy(gen[info.inner], gen, uint64_t(32), uint8_t(info.outter - 1), CopyRepeatParams(1, 1, 4, 0));
            PipeBarrier<PIPE_V>();
        }
        index = gen.template ReinterpretCast<uint32_t>();
    }
    LocalTensor<T> scores = src;
    if (!isLargest) {
        scores = work[t.innerDataSize];
        Muls(scores, src, T(-1), t.allDataSize);
        PipeBarrier<PIPE_V>();
    }
    Sort32(work, scores, index, info.outter);
    PipeBarrier<PIPE_V>();
    // The patterns, written by the scalar unit after the vector unit is done with that space.
    const int8_t toScalar = GetTPipePtr()->FetchEventID(HardEvent::V_S);
    SetFlag<HardEvent::V_S>(toScalar);
    WaitFlag<HardEvent::V_S>(toScalar);
    const LocalTensor<uint32_t> indexPattern =
        work[t.topkMrgSrc1MaskSizeOffset + 32 / sizeof(T)].template ReinterpretCast<uint32_t>();
    indexPattern.SetValue(0, t.vreduceIdxMask0);
    indexPattern.SetValue(1, t.vreduceIdxMask1);
    const GatherMaskParams rows(1, uint16_t(info.outter), DEFAULT_REPEAT_STRIDE, 0);
    uint64_t count = 0;
    if constexpr (sizeof(T) == 4) {
        const LocalTensor<uint32_t> valuePattern = work[t.topkMrgSrc1MaskSizeOffset].template ReinterpretCast<uint32_t>();
        valuePattern.SetValue(0, t.vreduceValMask0);
        valuePattern.SetValue(1, t.vreduceValMask1);
        const int8_t toVector = GetTPipePtr()->FetchEventID(HardEvent::S_V);
        SetFlag<HardEvent::S_V>(toVector);
        WaitFlag<HardEvent::S_V>(toVector);
        GatherMask(dstValue, work, valuePattern, true, 64, rows, count);
    } else {
        const LocalTensor<uint16_t> valuePattern = work[t.topkMrgSrc1MaskSizeOffset].template ReinterpretCast<uint16_t>();
        const uint16_t words[8] = {t.vreducehalfValMask0, t.vreducehalfValMask1, t.vreducehalfValMask2,
                                   t.vreducehalfValMask3, t.vreducehalfValMask4, t.vreducehalfValMask5,
                                   t.vreducehalfValMask6, t.vreducehalfValMask7};
        for (uint32_t i = 0; i < 8; ++i) valuePattern.SetValue(i, words[i]);
        const int8_t toVector = GetTPipePtr()->FetchEventID(HardEvent::S_V);
        SetFlag<HardEvent::S_V>(toVector);
        WaitFlag<HardEvent::S_V>(toVector);
        GatherMask(dstValue, work, valuePattern, true, 128, rows, count);
    }
    PipeBarrier<PIPE_V>();
    GatherMask(dstIndex.template ReinterpretCast<float>(), work.template ReinterpretCast<float>(), indexPattern, true, 64,
               rows, count);
    PipeBarrier<PIPE_V>();
}

template <typename T, bool isInitIndex, bool isHasfinish, TopKMode mode>
void TopKImpl(const LocalTensor<T>& dstValue, const LocalTensor<int32_t>& dstIndex, const LocalTensor<T>& src,
              const LocalTensor<int32_t>& srcIndex, const LocalTensor<bool>& finish, const LocalTensor<uint8_t>* shared,
              int32_t k, const TopkTiling& tiling, const TopKInfo& info, bool isLargest) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value,
                  "TopK takes half or float scores on Atlas A2/A3 (TopK.md: 支持的数据类型为 half、float)");
    static_assert(!(mode == TopKMode::TOPK_NSMALL && isHasfinish),
                  "TopK: isHasfinish must be false in TopKMode::TOPK_NSMALL (TopK.md: Small模式支持的取值 false)");
    const opkit::rt::SocInfo& soc = opkit::rt::CoreSoc();
    if (soc.arch != 2201)
        opkit::rt::Fail(std::string("TopK: opkit implements TopK for Atlas A2/A3 (arch 2201, Ascend910B*) only; this "
                                    "kernel runs on ") + soc.name + " (arch " + std::to_string(soc.arch) + ")");
    const TopkTiling t = TopKCheck<T, isInitIndex, isHasfinish, mode>(dstValue, dstIndex, src, srcIndex, finish, k,
                                                                      tiling, info, isLargest);
    const uint32_t need = TopKTmpBytes(info.inner, info.outter, isInitIndex, mode, isLargest);
    LocalTensor<uint8_t> tmp;
    if (shared != nullptr) {
        if (MemOf(shared->pos_) != opkit::rt::Mem::UB)
            opkit::rt::Fail(std::string("TopK: tmpLocal must be a UB tensor (VECCALC), it is in ") + PositionName(shared->pos_));
        if (shared->GetSize() < need)
            opkit::rt::Fail("TopK: tmpLocal holds " + HlNum(shared->GetSize()) + " bytes, but TopK needs at least " +
                            HlNum(need) + " here (the minValue of GetTopKMaxMinTmpSize); give it a larger buffer");
        const uint64_t srcCount = uint64_t(info.outter) * uint64_t(info.inner);
        if (TopKOverlap(*shared, shared->GetSize(), src, srcCount) ||
            TopKOverlap(*shared, shared->GetSize(), dstValue, dstValue.GetSize()) ||
            TopKOverlap(*shared, shared->GetSize(), dstIndex, dstIndex.GetSize()))
            opkit::rt::Fail("TopK: tmpLocal overlaps srcLocal, dstValueLocal or dstIndexLocal; TopK writes its "
                            "temporaries while it still reads the source");
        tmp = *shared;
    } else {
        tmp = FrameworkTmp("TopK", need);
    }
    if constexpr (mode == TopKMode::TOPK_NORMAL) {
        TopKNormal<T, isInitIndex, isHasfinish>(dstValue, dstIndex, src, srcIndex, finish, tmp, k, t, info, isLargest);
    } else {
        TopKSmall<T, isInitIndex>(dstValue, dstIndex, src, srcIndex, tmp, t, info, isLargest);
    }
    if (!isLargest) Muls(dstValue, dstValue, T(-1), t.maskOffset);  // the scores back to their sign
    PipeBarrier<PIPE_V>();
}

}  // namespace detail
}  // namespace AscendC
