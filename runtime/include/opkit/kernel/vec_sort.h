// opkit: the sort instructions of arch 2201 (Sort32, MrgSort, GetMrgSortResult), the sort-region
// size helpers (GetSortLen, GetSortOffset), and the region-proposal instructions of arch 1001/2002
// (RpSort16, MrgSort4, ProposalConcat, ProposalExtract). Runtime: runtime/src/vec_sort.cpp, Notes
// [Sort regions] and [Region proposals].
//
// Facts from asc-devkit docs 基础API/Memory矢量计算/排序组合（ISASI）/{Sort32,MrgSort,GetMrgSortResult}.md,
// 高阶API/排序操作/{GetSortLen,GetSortOffset}.md, 排序组合（ISASI）/{RpSort16,MrgSort4,ProposalConcat,
// ProposalExtract}.md; struct fields from include/basic_api/kernel_struct_proposal.h.
#pragma once

#include "opkit/kernel/vec_gather.h"

namespace opkit {
namespace rt {
void VecSort32(DType t, void* dst, const void* score, const uint32_t* index, uint32_t repeat);
// Merges the lists whose validBit is set into dst. A record is `recBytes` long with its score at byte
// `scoreAt`: MrgSort's (score, index) records (8, 0), MrgSort4's region proposals (16, 8) of half
// and (32, 16) of float. lens in records; remembers the records taken from each list (MrgSortTaken).
void VecMrgSort(DType t, const char* op, uint32_t recBytes, uint32_t scoreAt, void* dst, const void* const src[4],
                const uint16_t lens[4], uint16_t validBit, bool exhaustedSuspension, uint32_t repeat);
// The region-proposal instructions of arch 1001/2002 (Note [Region proposals]).
void VecRpSort16(DType t, void* dst, const void* src, uint32_t repeat);
void VecProposalMove(DType t, bool concat, void* dst, const void* src, uint32_t repeat, int32_t mode);
void MrgSortTaken(uint16_t taken[4]);
}  // namespace rt
}  // namespace opkit

namespace AscendC {

constexpr int32_t MRG_SORT_ELEMENT_LEN = 4;

struct MrgSort4Info {
    __aicore__ MrgSort4Info() {}
    __aicore__ MrgSort4Info(const uint16_t elementLengthsIn[MRG_SORT_ELEMENT_LEN], const bool ifExhaustedSuspensionIn,
                            const uint16_t validBitIn, const uint16_t repeatTimesIn)
        : ifExhaustedSuspension(ifExhaustedSuspensionIn), validBit(validBitIn), repeatTimes(uint8_t(repeatTimesIn)) {
        for (int32_t i = 0; i < MRG_SORT_ELEMENT_LEN; ++i) elementLengths[i] = elementLengthsIn[i];
    }
    uint16_t elementLengths[MRG_SORT_ELEMENT_LEN] = {0};
    bool ifExhaustedSuspension = false;
    uint16_t validBit = 0;
    uint8_t repeatTimes = 1;
};

template <typename T>
struct MrgSortSrcList {
    __aicore__ MrgSortSrcList() {}
    __aicore__ MrgSortSrcList(const LocalTensor<T>& src1In, const LocalTensor<T>& src2In, const LocalTensor<T>& src3In,
                              const LocalTensor<T>& src4In)
        : src1(src1In[0]), src2(src2In[0]), src3(src3In[0]), src4(src4In[0]) {}
    LocalTensor<T> src1;
    LocalTensor<T> src2;
    LocalTensor<T> src3;
    LocalTensor<T> src4;
};

// Sort32: each repeat sorts 32 scores (src0) with their uint32 indices (src1) into 32 (score, index)
// records of 8 bytes (256 bytes of dst), highest score first, equal scores in source order.
// soc: 910B
template <typename T>
__aicore__ inline void Sort32(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<uint32_t>& src1,
                              const int32_t repeatTime) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value, "Sort32 takes half or float scores");
    if (repeatTime < 0 || repeatTime > MAX_REPEAT_TIMES)
        opkit::rt::Fail("Sort32: repeatTime " + std::to_string(repeatTime) + " is outside 0..255");
    if (repeatTime == 0) return;  // a NOP on 910B
    const uint64_t r = uint64_t(repeatTime);
    detail::CheckVecOperand(src0.addr_, src0.pos_, r * 32 * sizeof(T), "Sort32");
    detail::CheckVecOperand(src1.addr_, src1.pos_, r * 32 * 4, "Sort32");
    detail::CheckVecOperand(dst.addr_, dst.pos_, r * 256, "Sort32");
    opkit::rt::VecSort32(opkit::DTypeOf<T>::value, dst.addr_, src0.addr_, src1.addr_, uint32_t(repeatTime));
}

namespace detail {
// MrgSort and MrgSort4: up to 4 sorted lists of `recBytes`-byte records, each list and dst aligned
// to `align` bytes.
template <typename T>
void MergeSorted(const LocalTensor<T>& dst, const MrgSortSrcList<T>& src, const MrgSort4Info& params, const char* op,
                 uint32_t recBytes, uint32_t scoreAt, uint32_t listAlign, uint32_t dstAlign) {
    const std::string name = op;
    const LocalTensor<T>* lists[4] = {&src.src1, &src.src2, &src.src3, &src.src4};
    const void* addrs[4] = {};
    int valid = 0;
    switch (params.validBit) {
        case 3: valid = 2; break;
        case 7: valid = 3; break;
        case 15: valid = 4; break;
        default:
            opkit::rt::Fail(name + ": validBit " + std::to_string(params.validBit) +
                            " is not 3, 7 or 15 (the first 2, 3 or 4 lists take part)");
    }
    uint64_t total = 0;
    for (int i = 0; i < valid; ++i) {
        if (params.elementLengths[i] > 4095)
            opkit::rt::Fail(name + ": elementLengths[" + std::to_string(i) + "] = " + std::to_string(params.elementLengths[i]) +
                            " is outside 0..4095");
        const uint64_t bytes = uint64_t(params.elementLengths[i]) * recBytes;
        CheckUbSpan(lists[i]->addr_, lists[i]->pos_, bytes, listAlign, (name + " (src list)").c_str());
        addrs[i] = lists[i]->addr_;
        total += params.elementLengths[i];
    }
    const uint64_t reps = params.repeatTimes;
    if (reps == 0) return;  // a NOP
    if (reps > 1) {
        const uint16_t len = params.elementLengths[0];
        bool ok = valid == 4 && !params.ifExhaustedSuspension;
        for (int i = 1; i < 4 && ok; ++i)
            ok = params.elementLengths[i] == len &&
                 reinterpret_cast<const uint8_t*>(addrs[i]) == reinterpret_cast<const uint8_t*>(addrs[0]) + uint64_t(i) * len * recBytes;
        if (!ok)
            opkit::rt::Fail(name + ": repeatTimes " + std::to_string(reps) + " > 1 needs 4 lists (validBit 15) of equal "
                            "length stored one after another, and ifExhaustedSuspension = false");
        CheckUbSpan(addrs[0], src.src1.pos_, reps * total * recBytes, listAlign, (name + " (src lists)").c_str());
    }
    CheckUbSpan(dst.addr_, dst.pos_, reps * total * recBytes, dstAlign, op);
    opkit::rt::VecMrgSort(opkit::DTypeOf<T>::value, op, recBytes, scoreAt, dst.addr_, addrs, params.elementLengths,
                          params.validBit, params.ifExhaustedSuspension, uint32_t(reps));
}
}  // namespace detail

// MrgSort: merges 2..4 sorted lists of (score, index) records into one, highest score first.
// soc: 910B
template <typename T>
__aicore__ inline void MrgSort(const LocalTensor<T>& dst, const MrgSortSrcList<T>& src, const MrgSort4Info& params) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value, "MrgSort takes half or float scores");
    detail::MergeSorted(dst, src, params, "MrgSort", 8, 0, 8, 32);
}

__aicore__ inline void GetMrgSortResult(uint16_t& mrgSortList1, uint16_t& mrgSortList2, uint16_t& mrgSortList3,
                                        uint16_t& mrgSortList4) {
    uint16_t t[4];
    opkit::rt::MrgSortTaken(t);
    mrgSortList1 = t[0];
    mrgSortList2 = t[1];
    mrgSortList3 = t[2];
    mrgSortList4 = t[3];
}

// Sort-region sizes on arch 2201, in elements of T (an 8-byte record is 4 halves or 2 floats).
// The docs say "bytes", but CANN's implementation (impl/basic_api/kernel_operator_proposal_intf_impl.h,
// halfSortedDataSize = 4, floatSortedDataSize = 2) returns elements, and kernels index tensors with it.
template <typename T>
__aicore__ inline uint32_t GetSortLen(const uint32_t elemCount) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value, "GetSortLen takes half or float");
    return elemCount * (8 / uint32_t(sizeof(T)));
}
template <typename T>
__aicore__ inline uint32_t GetSortOffset(const uint32_t elemOffset) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value, "GetSortOffset takes half or float");
    return elemOffset * (8 / uint32_t(sizeof(T)));
}


// ---- region proposals (arch 1001 / 2002: Ascend910A, Ascend310P) ----------------------------------
// Note [Region proposals] in runtime/src/vec_sort.cpp. A proposal is 8 elements of T,
// [x1, y1, x2, y2, score, label, reserved, reserved]; modeNumber 0..5 names one of the first six.
namespace detail {
template <typename T>
void ProposalOperands(const LocalTensor<T>& dst, const LocalTensor<T>& src, int32_t repeatTime, uint64_t dstElems,
                      uint64_t srcElems, const char* op) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value, "region proposals hold half or float");
    if (repeatTime < 0 || repeatTime > MAX_REPEAT_TIMES)
        opkit::rt::Fail(std::string(op) + ": repeatTime " + std::to_string(repeatTime) + " is outside 0..255");
    const uint64_t r = uint64_t(repeatTime);
    CheckVecOperand(src.addr_, src.pos_, r * srcElems * sizeof(T), op);
    CheckVecOperand(dst.addr_, dst.pos_, r * dstElems * sizeof(T), op);
}
}  // namespace detail

// RpSort16: each repeat sorts 16 proposals by score, highest first (equal scores keep their order).
// soc: 910A 310P
template <typename T>
__aicore__ inline void RpSort16(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime) {
    detail::ProposalOperands(dst, src, repeatTime, 128, 128, "RpSort16");
    if (repeatTime == 0) return;
    opkit::rt::VecRpSort16(opkit::DTypeOf<T>::value, dst.addr_, src.addr_, uint32_t(repeatTime));
}

// MrgSort4: merges up to 4 sorted proposal lists into one, highest score first.
// soc: 910A 310P
template <typename T>
__aicore__ inline void MrgSort4(const LocalTensor<T>& dst, const MrgSortSrcList<T>& src, const MrgSort4Info& params) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value, "MrgSort4 takes half or float proposals");
    constexpr uint32_t rec = 8 * sizeof(T);  // 16 bytes (half) or 32 (float): also the alignment the docs ask
    detail::MergeSorted(dst, src, params, "MrgSort4", rec, 4 * sizeof(T), rec, rec);
}

// ProposalConcat: each repeat writes 16 consecutive elements of src into field modeNumber of 16
// proposals of dst, leaving their other fields as they were. ProposalExtract: the reverse.
// soc: 910A 310P
template <typename T>
__aicore__ inline void ProposalConcat(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime,
                                      const int32_t modeNumber) {
    detail::ProposalOperands(dst, src, repeatTime, 128, 16, "ProposalConcat");
    if (repeatTime == 0) return;
    opkit::rt::VecProposalMove(opkit::DTypeOf<T>::value, true, dst.addr_, src.addr_, uint32_t(repeatTime), modeNumber);
}
// soc: 910A 310P
template <typename T>
__aicore__ inline void ProposalExtract(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime,
                                       const int32_t modeNumber) {
    detail::ProposalOperands(dst, src, repeatTime, 16, 128, "ProposalExtract");
    if (repeatTime == 0) return;
    opkit::rt::VecProposalMove(opkit::DTypeOf<T>::value, false, dst.addr_, src.addr_, uint32_t(repeatTime), modeNumber);
}
// Their CANN 6.3/7.0 names (the 2023 TopK sample's Concat/Extract with a repeat and a mode); the
// later high-level Concat/Extract of the Sort API take tensors where these take the two ints.
// soc: 910A 310P
template <typename T>
__aicore__ inline void Concat(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime,
                              const int32_t modeNumber) {
    ProposalConcat(dst, src, repeatTime, modeNumber);
}
// soc: 910A 310P
template <typename T>
__aicore__ inline void Extract(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime,
                               const int32_t modeNumber) {
    ProposalExtract(dst, src, repeatTime, modeNumber);
}

}  // namespace AscendC
