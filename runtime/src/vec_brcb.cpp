// opkit: Brcb, the vector unit's block broadcast (asc-devkit docs 基础API/Memory矢量计算/数据填充/Brcb.md):
// each repeat takes 8 consecutive source elements and fills one 32-byte destination block with each;
// block j of repeat i starts (i * dstRepStride + j * dstBlkStride) blocks after dst (a dstBlkStride of
// 0 counts as 1, as the reference pseudo-code says). The high-level APIs (SoftMax, the norms) use it to
// spread per-row results into the [rows, one block] layout their max/sum outputs have.
#include <cstring>
#include <string>

#include "opkit/kernel/vec_brcb.h"
#include "vec_internal.h"
#include "core_state.h"

namespace opkit {
namespace rt {

void VecBrcb(DType t, void* dst, const void* src, uint32_t repeat, uint16_t dstBlk, uint16_t dstRep) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    constexpr uint32_t BRCB_DTYPES = DTypeBit(DType::F16) | DTypeBit(DType::BF16) | DTypeBit(DType::I16) |
                                     DTypeBit(DType::U16) | DTypeBit(DType::F32) | DTypeBit(DType::I32) |
                                     DTypeBit(DType::U32);
    RequireDType("Brcb", t, BRCB_DTYPES);
    if (repeat == 0) return;  // a NOP on the NPU
    const uint32_t size = DTypeSize(t), perBlock = 32 / size;
    const uint64_t blk = dstBlk == 0 ? 1 : dstBlk;
    ModelVector("Brcb", repeat);
    if (Model() != nullptr) {
        const void* ret = __builtin_return_address(0);
        ModelAccess(src, uint64_t(repeat) * 8 * size, false, "Brcb", ret);
        for (uint32_t i = 0; i < repeat; ++i)
            for (uint32_t j = 0; j < 8; ++j)
                ModelAccess(static_cast<uint8_t*>(dst) + (uint64_t(i) * dstRep + j * blk) * 32, 32, true, "Brcb", ret);
    }
    for (uint32_t i = 0; i < repeat; ++i)
        for (uint32_t j = 0; j < 8; ++j) {
            const uint8_t* e = static_cast<const uint8_t*>(src) + (uint64_t(i) * 8 + j) * size;
            uint8_t* out = static_cast<uint8_t*>(dst) + (uint64_t(i) * dstRep + j * blk) * 32;
            for (uint32_t k = 0; k < perBlock; ++k) std::memcpy(out + k * size, e, size);
        }
}

}  // namespace rt
}  // namespace opkit
