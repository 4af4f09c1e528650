// opkit: DataCopy, DataCopyPad and Duplicate.
//
// Note [DataCopy rounds down]: a contiguous DataCopy moves whole 32-byte blocks. When
// count*sizeof(T) is not a multiple of 32 the NPU silently moves only the whole blocks and drops
// the rest, so the CPU does the same (the npu_simulator mode reports it as a finding).
#pragma once

#include "opkit/kernel/tensor.h"
#include "opkit/kernel/vec.h"  // Duplicate's mask/repeat shapes

namespace AscendC {
namespace detail {

// One DataCopy/DataCopyPad as the runtime sees it: byte runs with byte strides between starts.
struct CopyPlan {
    uint8_t* dst;
    const uint8_t* src;
    uint32_t blocks;
    uint32_t runBytes;
    uint64_t dstStep;
    uint64_t srcStep;
    uint64_t requested = 0;  // a contiguous DataCopy's count * sizeof(T), before the round-down
};

void RunCopy(const CopyPlan& p, opkit::rt::Mem dstMem, opkit::rt::Mem srcMem, const char* what);
void RequirePad(const char* what);  // fails on SoCs without DataCopyPad
inline constexpr opkit::rt::Mem GM_MEM = opkit::rt::Mem::COUNT;  // "not on chip"

template <typename T>
CopyPlan Contiguous(T* dst, const T* src, uint32_t count) {
    uint32_t bytes = static_cast<uint32_t>((uint64_t(count) * sizeof(T)) & ~uint64_t(31));
    return CopyPlan{reinterpret_cast<uint8_t*>(dst), reinterpret_cast<const uint8_t*>(src), 1, bytes,
                    bytes, bytes, uint64_t(count) * sizeof(T)};
}

template <typename T>
CopyPlan Strided(T* dst, const T* src, const DataCopyParams& p) {
    uint32_t run = uint32_t(p.blockLen) * 32u;
    return CopyPlan{reinterpret_cast<uint8_t*>(dst), reinterpret_cast<const uint8_t*>(src), p.blockCount,
                    run, uint64_t(run) + uint64_t(p.dstStride) * 32u, uint64_t(run) + uint64_t(p.srcStride) * 32u};
}

inline uint32_t PadTo32(uint32_t bytes) { return (bytes + 31u) & ~31u; }

// npu_simulator: a copy that runs past the size given to SetGlobalBuffer (Note [GlobalTensor size]).
template <typename T>
void GlobalSpan(const GlobalTensor<T>& g, uint64_t bytes, const char* what) {
    if (g.sized_) GlobalBeyond(what, bytes, g.size_, sizeof(T));
}
inline uint64_t SpanOf(const CopyPlan& p, bool gmIsDst) {
    return p.blocks == 0 ? 0 : uint64_t(p.blocks - 1) * (gmIsDst ? p.dstStep : p.srcStep) + p.runBytes;
}

}  // namespace detail

// ---- contiguous ---------------------------------------------------------------------------------
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const uint32_t count) {
    detail::UseData(dst, count, "DataCopy(GM->local)");
    const auto plan = detail::Contiguous(dst.addr_, src.addr_, count);
    detail::GlobalSpan(src, detail::SpanOf(plan, false), "DataCopy(GM->local)");
    detail::RunCopy(plan, detail::MemOf(dst.pos_), detail::GM_MEM, "DataCopy(GM->local)");
}
template <typename T>
__aicore__ inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t count) {
    detail::UseData(src, count, "DataCopy(local->GM)");
    const auto plan = detail::Contiguous(dst.addr_, src.addr_, count);
    detail::GlobalSpan(dst, detail::SpanOf(plan, true), "DataCopy(local->GM)");
    detail::RunCopy(plan, detail::GM_MEM, detail::MemOf(src.pos_), "DataCopy(local->GM)");
}
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t count) {
    detail::UseData(dst, count, "DataCopy(local->local)");
    detail::UseData(src, count, "DataCopy(local->local)");
    detail::RunCopy(detail::Contiguous(dst.addr_, src.addr_, count), detail::MemOf(dst.pos_),
                    detail::MemOf(src.pos_), "DataCopy(local->local)");
}

// ---- strided (DataCopyParams: lengths and gaps in 32-byte blocks) --------------------------------
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& p) {
    detail::UseData(dst, p.blockCount * p.blockLen, "DataCopy(GM->local, DataCopyParams)");
    const auto plan = detail::Strided(dst.addr_, src.addr_, p);
    detail::GlobalSpan(src, detail::SpanOf(plan, false), "DataCopy(GM->local, DataCopyParams)");
    detail::RunCopy(plan, detail::MemOf(dst.pos_), detail::GM_MEM, "DataCopy(GM->local, DataCopyParams)");
}
template <typename T>
__aicore__ inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    detail::UseData(src, p.blockCount * p.blockLen, "DataCopy(local->GM, DataCopyParams)");
    const auto plan = detail::Strided(dst.addr_, src.addr_, p);
    detail::GlobalSpan(dst, detail::SpanOf(plan, true), "DataCopy(local->GM, DataCopyParams)");
    detail::RunCopy(plan, detail::GM_MEM, detail::MemOf(src.pos_), "DataCopy(local->GM, DataCopyParams)");
}
namespace detail {
template <typename T, typename U>
inline void BiasTableCopy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const DataCopyParams& p);  // cube.h
}  // namespace detail
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    if (dst.pos_ == TPosition::C2) return detail::BiasTableCopy(dst, src, p);  // L1 -> bias table
    detail::RunCopy(detail::Strided(dst.addr_, src.addr_, p), detail::MemOf(dst.pos_), detail::MemOf(src.pos_),
                    "DataCopy(local->local, DataCopyParams)");
}

// ---- DataCopyPad (byte-granular; 910B, 910_93, 310B only) ---------------------------------------
// GM -> UB: each of blockCount runs of blockLen bytes (GM gap srcStride bytes) gets its own
// 32-byte-aligned UB slot (slot gap dstStride blocks), laid out as
//   [leftPadding elems][blockLen bytes of data][rightPadding elems][dummy up to the 32-byte end].
// Note [DataCopyPad fill]: what the NPU writes around the data:
//   - isPad: the whole padding area (left, right and dummy) takes paddingValue;
//   - !isPad, blockLen not 32-byte aligned, no left/right padding: the dummy bytes repeat the
//     block's first element;
//   - otherwise the padding is unspecified on the NPU ("random"); the CPU leaves it untouched.
// soc: 910B
template <typename T>
__aicore__ inline void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src,
                                   const DataCopyExtParams& p, const DataCopyPadExtParams<T>& pad) {
    detail::RequirePad("DataCopyPad(GM->local)");
    // Note [Vector work on a MIX launch's cube core] (runtime/src/core.cpp)
    if (detail::MemOf(dst.pos_) == opkit::rt::Mem::UB && opkit::rt::VectorMuted()) return;
    const uint32_t left = uint32_t(pad.leftPadding) * sizeof(T);
    const uint32_t used = left + p.blockLen + uint32_t(pad.rightPadding) * sizeof(T);
    const uint32_t slot = detail::PadTo32(used);
    const uint64_t dstStep = slot + uint64_t(p.dstStride) * 32u;
    uint8_t* d = reinterpret_cast<uint8_t*>(dst.addr_);
    if (p.blockCount == 0 || p.blockLen == 0) return;  // a NOP on the NPU
    if (p.blockCount > 4095 || p.blockLen > 2097151 || left > 32 || uint32_t(pad.rightPadding) * sizeof(T) > 32)
        opkit::rt::Fail("DataCopyPad(GM->local): blockCount " + std::to_string(p.blockCount) + " (at most 4095), blockLen " +
                        std::to_string(p.blockLen) + " bytes (at most 2097151), padding " + std::to_string(left) + "+" +
                        std::to_string(uint32_t(pad.rightPadding) * sizeof(T)) + " bytes (at most 32 each): out of range");
    if (p.blockLen % sizeof(T) != 0)
        opkit::rt::Fail("DataCopyPad(GM->local): blockLen " + std::to_string(p.blockLen) + " bytes is not a multiple of the " +
                        std::to_string(sizeof(T)) + "-byte element");
    // Check whole slots (the fill below writes them) and the slot alignment; the data itself
    // starts leftPadding elements in, so it need not be 32-byte aligned.
    detail::CheckInArena(d, uint64_t(p.blockCount - 1) * dstStep + slot, detail::MemOf(dst.pos_), "DataCopyPad(GM->local)");
    detail::CheckAligned(d, detail::MemOf(dst.pos_), "DataCopyPad(GM->local)");
    if (src.addr_ == nullptr) opkit::rt::Fail("DataCopyPad(GM->local): the GlobalTensor has no buffer (call SetGlobalBuffer)");
    opkit::rt::CheckGm(src.addr_, uint64_t(p.blockCount - 1) * (uint64_t(p.blockLen) + p.srcStride) + p.blockLen,
                       "DataCopyPad(GM->local)");
    detail::GlobalSpan(src, uint64_t(p.blockCount - 1) * (uint64_t(p.blockLen) + p.srcStride) + p.blockLen,
                       "DataCopyPad(GM->local)");
    opkit::rt::ModelCopy(true, false, uint64_t(p.blockCount) * p.blockLen, nullptr, 0, "DataCopyPad(GM->local)", nullptr,
                         reinterpret_cast<const uint8_t*>(src.addr_),
                         uint64_t(p.blockCount - 1) * (uint64_t(p.blockLen) + p.srcStride) + p.blockLen, p.blockCount,
                         p.blockLen, uint64_t(p.blockLen) + p.srcStride);
    opkit::rt::ModelAccess(d, uint64_t(p.blockCount - 1) * dstStep + slot, true, "DataCopyPad(GM->local)", nullptr, 4);
    opkit::rt::CopyRuns(d + left, reinterpret_cast<const uint8_t*>(src.addr_), p.blockCount, p.blockLen, dstStep,
                        uint64_t(p.blockLen) + p.srcStride);
    // Note [DataCopyPad fill].
    const bool dummyFromData = !pad.isPad && p.blockLen % 32u != 0 && left == 0 && pad.rightPadding == 0;
    if (!pad.isPad && !dummyFromData) return;
    for (uint32_t b = 0; b < p.blockCount; ++b) {
        uint8_t* slotStart = d + b * dstStep;
        T value;
        if (pad.isPad) value = pad.paddingValue;
        else std::memcpy(&value, slotStart, sizeof(T));
        if (pad.isPad)
            for (uint32_t off = 0; off < left; off += sizeof(T)) std::memcpy(slotStart + off, &value, sizeof(T));
        for (uint32_t off = left + p.blockLen; off < slot; off += sizeof(T)) std::memcpy(slotStart + off, &value, sizeof(T));
    }
}

// soc: 910B
template <typename T>
__aicore__ inline void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src,
                                   const DataCopyParams& p, const DataCopyPadParams& pad) {
    T value;
    std::memcpy(&value, &pad.paddingValue, sizeof(T) < 8 ? sizeof(T) : 8);
    DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0),
                DataCopyPadExtParams<T>(pad.isPad, pad.leftPadding, pad.rightPadding, value));
}

// UB -> GM: each 32-byte-aligned UB slot (slot gap srcStride blocks) gives its first blockLen
// bytes to GM (GM gap dstStride bytes).
// soc: 910B
template <typename T>
__aicore__ inline void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p) {
    detail::RequirePad("DataCopyPad(local->GM)");
    const uint64_t srcStep = detail::PadTo32(p.blockLen) + uint64_t(p.srcStride) * 32u;
    if (p.blockCount > 0)
        detail::GlobalSpan(dst, uint64_t(p.blockCount - 1) * (uint64_t(p.blockLen) + p.dstStride) + p.blockLen,
                           "DataCopyPad(local->GM)");
    detail::RunCopy(detail::CopyPlan{reinterpret_cast<uint8_t*>(dst.addr_), reinterpret_cast<const uint8_t*>(src.addr_),
                                     p.blockCount, p.blockLen, uint64_t(p.blockLen) + p.dstStride, srcStep},
                    detail::GM_MEM, detail::MemOf(src.pos_), "DataCopyPad(local->GM)");
}
// soc: 910B
template <typename T>
__aicore__ inline void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0));
}

// ---- Duplicate ----------------------------------------------------------------------------------
// dst[i] = scalar. 910B: int16, uint16, half, bfloat16, int32, uint32, float.
template <typename T>
__aicore__ inline void Duplicate(const LocalTensor<T>& dst, const detail::NoDeduce<T>& scalar, const int32_t& count) {
    if (count < 0) opkit::rt::Fail("Duplicate: negative count " + std::to_string(count));
    detail::UseData(dst, uint64_t(count), "Duplicate");
    detail::CheckVecOperand(dst.addr_, dst.pos_, uint64_t(count) * sizeof(T), "Duplicate");
    opkit::rt::VecDuplicate(opkit::DTypeOf<T>::value, dst.addr_, &scalar, count);
}

// Mask/repeat forms: the masked lanes of each repeat; strides in 32-byte blocks.
namespace detail {
template <typename T, bool isSetMask, typename M>
void DuplicateRepeat(const LocalTensor<T>& dst, const T& scalar, M mask, uint8_t repeatTime, uint16_t dstBlockStride,
                     uint8_t dstRepeatStride) {
    if (repeatTime == 0) return;  // a NOP on the NPU
    auto s = Shape<T, isSetMask>(mask, repeatTime);
    s.dstBlk = dstBlockStride;
    s.dstRep = dstRepeatStride;
    CheckRepeatOperand(dst.addr_, dst.pos_, s, s.dstBlk, s.dstRep, sizeof(T), "Duplicate");
    opkit::rt::VecDuplicateRepeat(opkit::DTypeOf<T>::value, dst.addr_, &scalar, s);
}
}  // namespace detail

template <typename T, bool isSetMask = true>
__aicore__ inline void Duplicate(const LocalTensor<T>& dst, const detail::NoDeduce<T>& scalar, uint64_t mask[],
                                 const uint8_t repeatTime, const uint16_t dstBlockStride, const uint8_t dstRepeatStride) {
    detail::DuplicateRepeat<T, isSetMask>(dst, scalar, static_cast<const uint64_t*>(mask), repeatTime, dstBlockStride,
                                          dstRepeatStride);
}
template <typename T, bool isSetMask = true>
__aicore__ inline void Duplicate(const LocalTensor<T>& dst, const detail::NoDeduce<T>& scalar, uint64_t mask,
                                 const uint8_t repeatTime, const uint16_t dstBlockStride, const uint8_t dstRepeatStride) {
    detail::DuplicateRepeat<T, isSetMask>(dst, scalar, mask, repeatTime, dstBlockStride, dstRepeatStride);
}

}  // namespace AscendC
