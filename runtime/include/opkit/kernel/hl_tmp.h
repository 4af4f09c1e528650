// opkit: the temporary buffers of the high-level kernel APIs (runtime/include/lib/...).
//
// Note [High-level temporary buffers]: an API such as Tanh or SoftMax keeps intermediate results in
// UB. CANN gives two ways to provide that space (asc-devkit docs, e.g. 高阶API/数学计算/Tanh接口/Tanh.md):
//   - sharedTmpBuffer: a LocalTensor<uint8_t> the kernel passes in; the API uses only it;
//   - framework-allocated (the overloads without it): the API takes the UB the TPipe has not given
//     out, from the end of the last InitBuffer to the end of UB; the kernel must leave that much free.
// Either way the space must hold at least the API's documented minimum (Get<Api>MaxMinTmpSize's
// minValue, computed by the same formula as the host query in lib/<family>/<api>_tiling.h). More
// space lets the API work on more elements per pass (up to maxValue: all of them in one pass); a
// smaller buffer is an error naming the API, the bytes found and the bytes needed, where the NPU
// would silently overwrite whatever follows the buffer. Every pass issues ordinary vector
// instructions, so npu_simulator checks and costs them like the kernel's own.
#pragma once

#include "opkit/kernel/vec_brcb.h"

namespace opkit {
namespace rt {
uint32_t PipeUsedBytes(Mem m);  // bytes of `m` the live TPipe has given out (0: none alive)
}  // namespace rt
}  // namespace opkit

namespace AscendC {
namespace detail {

inline std::string HlNum(uint64_t v) { return std::to_string(v); }

// The framework-allocated temporary buffer: the UB after the live TPipe's buffers.
// `query` names the host size query when it is not Get<api>MaxMinTmpSize.
inline std::string QueryName(const char* api, const char* query) {
    return query != nullptr ? std::string(query) : "Get" + std::string(api) + "MaxMinTmpSize";
}

inline LocalTensor<uint8_t> FrameworkTmp(const char* api, uint32_t minBytes, const char* query = nullptr) {
    using opkit::rt::Mem;
    const uint32_t used = opkit::rt::PipeUsedBytes(Mem::UB), size = opkit::rt::MemSize(Mem::UB);
    const uint32_t left = size > used ? size - used : 0;
    if (left < minBytes)
        opkit::rt::Fail(std::string(api) + ": the temporary buffer the API allocates itself needs " + HlNum(minBytes) +
                        " bytes of UB left free after the TPipe's buffers, but only " + HlNum(left) + " of " +
                        HlNum(size) + " are (" + HlNum(used) + " given out by pipe.InitBuffer); leave at least " +
                        HlNum(minBytes) + " bytes free (see " + QueryName(api, query) + ") or pass a sharedTmpBuffer");
    return LocalTensor<uint8_t>(opkit::rt::MemBase(Mem::UB) + used, left, TPosition::VECCALC);
}

// A sharedTmpBuffer given by the kernel: in UB, at least minBytes, apart from src and dst.
template <typename T>
void CheckSharedTmp(const char* api, const LocalTensor<uint8_t>& tmp, uint32_t minBytes, const LocalTensor<T>& dst,
                    const LocalTensor<T>& src, uint32_t count, const char* query = nullptr) {
    if (MemOf(tmp.pos_) != opkit::rt::Mem::UB)
        opkit::rt::Fail(std::string(api) + ": sharedTmpBuffer must be a UB tensor (VECIN/VECCALC/VECOUT), it is in " +
                        PositionName(tmp.pos_));
    if (tmp.GetSize() < minBytes)
        opkit::rt::Fail(std::string(api) + ": sharedTmpBuffer holds " + HlNum(tmp.GetSize()) + " bytes, but " + api +
                        " on " + (sizeof(T) == 2 ? "half" : "float") + " needs at least " + HlNum(minBytes) +
                        " (the minValue of " + QueryName(api, query) + "); give it a larger buffer");
    const uint64_t bytes = uint64_t(count) * sizeof(T);
    if (Overlap(tmp.addr_, tmp.GetSize(), src.addr_, bytes) || Overlap(tmp.addr_, tmp.GetSize(), dst.addr_, bytes))
        opkit::rt::Fail(std::string(api) + ": sharedTmpBuffer overlaps the source or destination tensor, which the API "
                        "does not allow (it overwrites its temporaries while it still reads the input)");
}

// Elements per pass when each element needs `bytesPerElem` bytes of temporaries: whole 256-byte
// float repeats (so every pass starts 32-byte aligned), at most `count` rounded up to a repeat.
inline uint32_t PassElems(uint32_t tmpBytes, uint32_t bytesPerElem, uint32_t count) {
    if (bytesPerElem == 0) return count;
    uint32_t n = tmpBytes / bytesPerElem / 64 * 64;
    const uint32_t all = (count + 63) / 64 * 64;
    return n < all ? n : all;
}

// Runs body(dst, src, tmp, n, step) over passes of at most `step` elements, where `step` is what the
// temporary buffer allows (PassElems); dst and src are the pass's slices, tmp the whole buffer.
template <typename T, typename Body>
void Passes(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint8_t>& tmp, uint32_t count,
            uint32_t bytesPerElem, Body&& body) {
    const uint32_t step = PassElems(tmp.GetSize(), bytesPerElem, count);
    for (uint32_t i = 0; i < count; i += step) body(dst[i], src[i], tmp, count - i < step ? count - i : step, step);
}

// The k-th float buffer of `step` elements inside tmp.
inline LocalTensor<float> FloatSlot(const LocalTensor<uint8_t>& tmp, uint32_t step, uint32_t k) {
    return tmp.ReinterpretCast<float>()[k * step];
}

template <typename T>
void RequireFloatType(const char* api) {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value,
                  "this high-level API takes half or float tensors (asc-devkit: 支持的数据类型为 half、float)");
    (void)api;
}

// The API's element count: calCount, at most what src and dst hold.
template <typename T>
uint32_t HlCount(const char* api, const LocalTensor<T>& dst, const LocalTensor<T>& src, uint32_t count) {
    if (count > src.GetSize() || count > dst.GetSize())
        opkit::rt::Fail(std::string(api) + ": calCount " + HlNum(count) + " exceeds the source (" + HlNum(src.GetSize()) +
                        " elements) or destination (" + HlNum(dst.GetSize()) + " elements) tensor");
    return count;
}

}  // namespace detail
}  // namespace AscendC
