// opkit: DataCopy, DataCopyPad and Duplicate.
//
// Note [DataCopy rounds down]: a contiguous DataCopy moves whole 32-byte blocks. When
// count*sizeof(T) is not a multiple of 32 the NPU silently moves only the whole blocks and drops
// the rest, so the CPU does the same (the npu_simulator mode reports it as a finding).
#pragma once

#include "opkit/kernel/tensor.h"

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
};

void RunCopy(const CopyPlan& p, opkit::rt::Mem dstMem, opkit::rt::Mem srcMem, const char* what);
void RequirePad(const char* what);  // fails on SoCs without DataCopyPad
inline constexpr opkit::rt::Mem GM_MEM = opkit::rt::Mem::COUNT;  // "not on chip"

template <typename T>
CopyPlan Contiguous(T* dst, const T* src, uint32_t count) {
    uint32_t bytes = static_cast<uint32_t>((uint64_t(count) * sizeof(T)) & ~uint64_t(31));
    return CopyPlan{reinterpret_cast<uint8_t*>(dst), reinterpret_cast<const uint8_t*>(src), 1, bytes,
                    bytes, bytes};
}

template <typename T>
CopyPlan Strided(T* dst, const T* src, const DataCopyParams& p) {
    uint32_t run = uint32_t(p.blockLen) * 32u;
    return CopyPlan{reinterpret_cast<uint8_t*>(dst), reinterpret_cast<const uint8_t*>(src), p.blockCount,
                    run, uint64_t(run) + uint64_t(p.dstStride) * 32u, uint64_t(run) + uint64_t(p.srcStride) * 32u};
}

inline uint32_t PadTo32(uint32_t bytes) { return (bytes + 31u) & ~31u; }

}  // namespace detail

// ---- contiguous ---------------------------------------------------------------------------------
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const uint32_t count) {
    detail::RunCopy(detail::Contiguous(dst.addr_, src.addr_, count), detail::MemOf(dst.pos_),
                    detail::GM_MEM, "DataCopy(GM->local)");
}
template <typename T>
__aicore__ inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t count) {
    detail::RunCopy(detail::Contiguous(dst.addr_, src.addr_, count), detail::GM_MEM,
                    detail::MemOf(src.pos_), "DataCopy(local->GM)");
}
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t count) {
    detail::RunCopy(detail::Contiguous(dst.addr_, src.addr_, count), detail::MemOf(dst.pos_),
                    detail::MemOf(src.pos_), "DataCopy(local->local)");
}

// ---- strided (DataCopyParams: lengths and gaps in 32-byte blocks) --------------------------------
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& p) {
    detail::RunCopy(detail::Strided(dst.addr_, src.addr_, p), detail::MemOf(dst.pos_), detail::GM_MEM,
                    "DataCopy(GM->local, DataCopyParams)");
}
template <typename T>
__aicore__ inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    detail::RunCopy(detail::Strided(dst.addr_, src.addr_, p), detail::GM_MEM, detail::MemOf(src.pos_),
                    "DataCopy(local->GM, DataCopyParams)");
}
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    detail::RunCopy(detail::Strided(dst.addr_, src.addr_, p), detail::MemOf(dst.pos_), detail::MemOf(src.pos_),
                    "DataCopy(local->local, DataCopyParams)");
}

// ---- DataCopyPad (byte-granular; 910B, 910_93, 310B only) ---------------------------------------
// GM -> UB: each of blockCount runs of blockLen bytes (GM gap srcStride bytes) lands at the start
// of its own 32-byte-aligned UB slot (slot gap dstStride blocks). With isPad, the slot's
// leftPadding elements before the data and rightPadding elements after it take paddingValue.
template <typename T>
__aicore__ inline void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src,
                                   const DataCopyExtParams& p, const DataCopyPadExtParams<T>& pad) {
    detail::RequirePad("DataCopyPad(GM->local)");
    const uint32_t slot = detail::PadTo32(p.blockLen + (uint32_t(pad.leftPadding) + pad.rightPadding) * sizeof(T));
    const uint64_t dstStep = slot + uint64_t(p.dstStride) * 32u;
    uint8_t* d = reinterpret_cast<uint8_t*>(dst.addr_);
    const uint32_t left = pad.isPad ? pad.leftPadding * sizeof(T) : 0;
    detail::RunCopy(detail::CopyPlan{d + left, reinterpret_cast<const uint8_t*>(src.addr_), p.blockCount,
                                     p.blockLen, dstStep, uint64_t(p.blockLen) + p.srcStride},
                    detail::MemOf(dst.pos_), detail::GM_MEM, "DataCopyPad(GM->local)");
    if (!pad.isPad) return;
    for (uint32_t b = 0; b < p.blockCount; ++b) {
        T* slotStart = reinterpret_cast<T*>(d + b * dstStep);
        for (uint32_t i = 0; i < pad.leftPadding; ++i) slotStart[i] = pad.paddingValue;
        T* after = reinterpret_cast<T*>(d + b * dstStep + left + p.blockLen);
        for (uint32_t i = 0; i < pad.rightPadding; ++i) after[i] = pad.paddingValue;
    }
}

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
template <typename T>
__aicore__ inline void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p) {
    detail::RequirePad("DataCopyPad(local->GM)");
    const uint64_t srcStep = detail::PadTo32(p.blockLen) + uint64_t(p.srcStride) * 32u;
    detail::RunCopy(detail::CopyPlan{reinterpret_cast<uint8_t*>(dst.addr_), reinterpret_cast<const uint8_t*>(src.addr_),
                                     p.blockCount, p.blockLen, uint64_t(p.blockLen) + p.dstStride, srcStep},
                    detail::GM_MEM, detail::MemOf(src.pos_), "DataCopyPad(local->GM)");
}
template <typename T>
__aicore__ inline void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0));
}

// ---- Duplicate ----------------------------------------------------------------------------------
template <typename T>
__aicore__ inline void Duplicate(const LocalTensor<T>& dst, const T& scalar, const int32_t& count) {
    if (count < 0) opkit::rt::Fail("Duplicate: negative count " + std::to_string(count));
    detail::CheckAligned(dst.addr_, detail::MemOf(dst.pos_), "Duplicate");
    detail::CheckInArena(dst.addr_, uint64_t(count) * sizeof(T), detail::MemOf(dst.pos_), "Duplicate");
    opkit::rt::Fill(opkit::DTypeOf<T>::value, dst.addr_, &scalar, count);
}

}  // namespace AscendC
