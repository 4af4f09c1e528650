// opkit: Gather and the 16x16 Transpose (runtime/include/opkit/kernel/vec_index.h).
//
// Note [Gather]: (asc-devkit docs 基础API/Memory矢量计算/离散与聚合/Gather.md)
//   - dst[i] is the element at src + srcBaseAddr + srcOffset[i] bytes: offsets are bytes, not
//     elements. The repeat form gathers 256 bytes of dst per repeat (8 blocks, dstRepStride blocks
//     apart), consuming one uint32 offset per lane; masked-off lanes keep dst.
//   - The address must be a multiple of the element size and stay inside UB. The NPU checks
//     neither (a misaligned one silently reads shifted data); opkit reports `gather-offset`
//     (Note [Unchecked hardware rules]) and, under npu_simulator, leaves that lane of dst as it was
//     rather than read outside UB. dst must not be the same memory as src (Gather.md).
//   - Cost: 5 elements per cycle on arch 2201 (Vector指令理论性能汇总.md, 离散与聚合类); the model's
//     unit for Gather is one cycle.
//
// Transpose: dst = src.T for one 16x16 matrix of 2-byte elements (Transpose.md, 普通转置). The docs
// give 128 two-byte elements per cycle (数据排布转换类): 2 cycles per call.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "opkit/kernel/vec_index.h"
#include "core_state.h"
#include "vec_internal.h"

namespace opkit {
namespace rt {

void VecGather(DType t, void* dst, const void* src, const uint32_t* offset, uint32_t base, const RepeatShape& s,
               int64_t count) {
    constexpr uint32_t TYPES = DTypeBit(DType::F16) | DTypeBit(DType::BF16) | DTypeBit(DType::I16) |
                               DTypeBit(DType::U16) | DTypeBit(DType::F32) | DTypeBit(DType::I32) | DTypeBit(DType::U32);
    RequireDType("Gather", t, TYPES);
    if (Core().soc != nullptr && Core().soc->arch == 1001) Fail("Gather does not exist on Atlas training series (910A)");
    const void* ret = __builtin_return_address(0);
    const uint32_t size = DTypeSize(t), lanes = 256 / size, perBlock = 32 / size;
    const bool countForm = count >= 0;
    const uint64_t n = countForm ? uint64_t(count) : uint64_t(s.repeat) * lanes;
    const uint8_t* ub = MemBase(Mem::UB);
    const uint64_t ubSize = MemSize(Mem::UB);
    const uint64_t srcOff = uint64_t(static_cast<const uint8_t*>(src) - ub);
    if (dst == src) RuleBroken("vector-overlap", "Gather: dst and src are the same memory, which Gather does not allow", ret);
    auto dstAt = [&](uint64_t i) {
        if (countForm) return static_cast<uint8_t*>(dst) + i * size;
        const uint64_t r = i / lanes, l = i % lanes;
        return static_cast<uint8_t*>(dst) + (r * s.dstRep + (l / perBlock) * s.dstBlk) * 32 + (l % perBlock) * size;
    };
    auto enabled = [&](uint64_t i) { return countForm || ((s.mask[(i % lanes) / 64] >> (i % 64)) & 1u); };
    bool reported = false;
    std::vector<uint8_t> got(n * size);
    std::vector<uint8_t> ok(n, 0);
    for (uint64_t i = 0; i < n; ++i) {
        if (!enabled(i)) continue;
        const uint64_t at = srcOff + uint64_t(base) + offset[i];
        if (at % size != 0 || at + size > ubSize) {
            if (!reported)
                RuleBroken("gather-offset", std::string("Gather: element " + std::to_string(i) + " reads srcBaseAddr " + std::to_string(base) +
                               " + srcOffset " + std::to_string(offset[i]) + " bytes from src (UB offset " +
                               std::to_string(at) + "), which is " +
                               (at % size != 0 ? "not a multiple of the " + std::to_string(size) + "-byte element size"
                                               : "outside UB (" + std::to_string(ubSize) + " bytes)") +
                               "; offsets count bytes, so index i of a " + std::to_string(size) +
                               "-byte type is offset i*" + std::to_string(size)).c_str(),
                           ret);
            reported = true;
            continue;
        }
        if (Model() != nullptr) ModelAccess(ub + at, size, false, "Gather", ret);
        std::memcpy(got.data() + i * size, ub + at, size);
        ok[i] = 1;
    }
    ModelVector("Gather", (n + 4) / 5);
    if (Model() != nullptr) {
        ModelAccess(offset, n * 4, false, "Gather", ret);
        for (uint64_t i = 0; i < n; ++i)
            if (enabled(i)) ModelAccess(dstAt(i), size, true, "Gather", ret);
    }
    for (uint64_t i = 0; i < n; ++i)
        if (ok[i]) std::memcpy(dstAt(i), got.data() + i * size, size);
}

void VecTranspose16(DType t, void* dst, const void* src) {
    RequireDType("Transpose", t, DTypeBit(DType::F16) | DTypeBit(DType::I16) | DTypeBit(DType::U16));
    const void* ret = __builtin_return_address(0);
    const auto* a = static_cast<const uint8_t*>(src);
    auto* d = static_cast<uint8_t*>(dst);
    if (a != d && a < d + 512 && d < a + 512)
        RuleBroken("vector-overlap", "Transpose: dst overlaps src at a different offset; use the same address or "
                   "separate 512-byte blocks", ret);
    ModelVector("Transpose", 2);
    if (Model() != nullptr) {
        ModelAccess(src, 512, false, "Transpose", ret);
        ModelAccess(dst, 512, true, "Transpose", ret);
    }
    uint16_t m[256];
    std::memcpy(m, src, 512);
    for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 16; ++j) std::memcpy(d + (j * 16 + i) * 2, &m[i * 16 + j], 2);
}

// Note [TransDataTo5HD]: (基础API/Memory矢量计算/数据排布转换/TransDataTo5HD.md; the float layout as
// CANN's own CumSum and SoftMax use it, impl/adv_api/detail/math/cumsum/cumsum_common_impl.h)
//   Each repeat reads the 16 source data blocks (32 bytes each) at srcList[i] and writes 16 destination
//   blocks at dstList[j], the 16 x E matrix of sources (E elements per block) transposed:
//   - 2-byte elements: block j of dst is element j of every source block (16 x 16 transposed);
//   - 4-byte: the 16 x 8 matrix becomes 8 x 16: dst[2j] holds element j of source blocks 0..7,
//     dst[2j + 1] element j of blocks 8..15;
//   - 1-byte: element j (+ 16 with srcHighHalf) of every source block, 16 bytes, into the low half of
//     dst[j] (the high half with dstHighHalf); the other half of dst[j] is left alone.
//   Repeat r moves every source address by r * srcRepStride blocks and every destination by r *
//   dstRepStride, except that with repeatTimes == 1 the one repeat is moved by the strides (the docs:
//   set them to 0 to start at the lists). Each repeat reads its 16 blocks before it writes.
//   Ascend910A: 1- and 2-byte elements only. Cost: one cycle per repeat, like a simple vector
//   instruction (assumed; no figure found).
void VecTransData5HD(uint32_t elemBytes, const uint64_t dst[16], const uint64_t src[16], bool dstHighHalf,
                     bool srcHighHalf, uint8_t repeat, uint16_t dstRepStride, uint16_t srcRepStride) {
    const void* ret = __builtin_return_address(0);
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    const SocInfo* soc = Core().soc;
    if (elemBytes == 4 && soc != nullptr && soc->arch == 1001)
        Fail(std::string("TransDataTo5HD: 4-byte elements do not exist on ") + soc->name +
             " (Atlas training series: int8_t, uint8_t, int16_t, uint16_t, half)");
    if (repeat == 0) return;  // a NOP
    uint8_t* ub = MemBase(Mem::UB);
    const uint64_t ubSize = MemSize(Mem::UB);
    auto where = [&](uint64_t base, uint16_t stride, uint32_t r) {
        return base + uint64_t(repeat == 1 ? stride : uint64_t(r) * stride) * 32;
    };
    for (int i = 0; i < 16; ++i) {
        for (const uint64_t a : {dst[i], src[i]}) {
            if (a % 32 != 0)
                Fail("TransDataTo5HD: list entry " + std::to_string(i) + " (UB offset " + std::to_string(a) +
                     ") is not 32-byte aligned");
        }
        const uint64_t lastD = where(dst[i], dstRepStride, repeat - 1u), lastS = where(src[i], srcRepStride, repeat - 1u);
        if (lastD + 32 > ubSize || lastS + 32 > ubSize)
            Fail("TransDataTo5HD: list entry " + std::to_string(i) + " reaches UB offset " +
                 std::to_string(std::max(lastD, lastS) + 32) + " in repeat " + std::to_string(repeat - 1) +
                 ", past the end of UB (" + std::to_string(ubSize) + " bytes)");
    }
    ModelVector("TransDataTo5HD", repeat);
    uint8_t in[16][32];
    for (uint32_t r = 0; r < repeat; ++r) {
        for (int i = 0; i < 16; ++i) {
            std::memcpy(in[i], ub + where(src[i], srcRepStride, r), 32);
            if (Model() != nullptr) ModelAccess(ub + where(src[i], srcRepStride, r), 32, false, "TransDataTo5HD", ret);
        }
        for (int j = 0; j < 16; ++j) {
            uint8_t* d = ub + where(dst[j], dstRepStride, r);
            if (Model() != nullptr)
                ModelAccess(d + (elemBytes == 1 && dstHighHalf ? 16 : 0), elemBytes == 1 ? 16 : 32, true, "TransDataTo5HD", ret);
            if (elemBytes == 2) {
                for (int i = 0; i < 16; ++i) std::memcpy(d + 2 * i, in[i] + 2 * j, 2);
            } else if (elemBytes == 4) {
                const int col = j / 2, first = (j % 2) * 8;
                for (int i = 0; i < 8; ++i) std::memcpy(d + 4 * i, in[first + i] + 4 * col, 4);
            } else {
                const int col = j + (srcHighHalf ? 16 : 0);
                for (int i = 0; i < 16; ++i) d[(dstHighHalf ? 16 : 0) + i] = in[i][col];
            }
        }
    }
}

}  // namespace rt
}  // namespace opkit
