// opkit: Sort32 and MrgSort (runtime/include/opkit/kernel/vec_sort.h).
//
// Note [Sort regions]: (asc-devkit docs 排序组合（ISASI）/Sort32.md, MrgSort.md; arch 2201 only)
//   - A sorted list is a run of 8-byte records. float scores: the score in bytes 0..3, the uint32
//     index in bytes 4..7. half scores: the score in bytes 0..1, bytes 2..3 reserved, the index in
//     4..7. opkit writes the reserved bytes as 0 (the docs do not say what the NPU puts there).
//   - Sort32 sorts each repeat's 32 scores, highest first; of equal scores the one earlier in the
//     source comes first (score[i] == score[j], i > j: j first). Repeat r reads 32 scores and 32
//     indices at element 32r and writes 256 bytes at dst + 256r; repeats are not merged.
//   - MrgSort merges 2..4 such lists (validBit 3/7/15) into one, highest first; equal scores keep
//     list order (an earlier list's record first) and order within a list. With
//     ifExhaustedSuspension it stops when the first list runs out; GetMrgSortResult then tells how
//     many records it took from each list. repeatTimes > 1 merges consecutive groups of 4
//     equal-length lists stored one after another.
//   - Neither instruction allows dst to overlap a source (MrgSort.md: 不支持源操作数和目的操作数地址重叠).
//   - Cost: 2 elements per cycle for both (Vector指令理论性能汇总.md, 排序组合类), i.e. 16 cycles per
//     32 records (the "repeats" passed to the model count 32-record units).
#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "opkit/kernel/vec_sort.h"
#include "core_state.h"
#include "vec_internal.h"

namespace opkit {
namespace rt {

namespace {

float ScoreOf(DType t, const uint8_t* p) {
    if (t == DType::F32) {
        float f;
        std::memcpy(&f, p, 4);
        return f;
    }
    uint16_t h;
    std::memcpy(&h, p, 2);
    return HalfBitsToFloat(h);
}

bool Overlap(const void* a, uint64_t an, const void* b, uint64_t bn) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return an != 0 && bn != 0 && pa < pb + bn && pb < pa + an;
}

void RequireSortType(const char* op, DType t) {
    RequireDType(op, t, DTypeBit(DType::F16) | DTypeBit(DType::F32));
    RequireArch2201(op);
}

}  // namespace

void VecSort32(DType t, void* dst, const void* score, const uint32_t* index, uint32_t repeat) {
    RequireSortType("Sort32", t);
    const void* ret = __builtin_return_address(0);
    const uint32_t size = DTypeSize(t);
    const uint64_t out = uint64_t(repeat) * 256;
    if (Overlap(dst, out, score, uint64_t(repeat) * 32 * size) || Overlap(dst, out, index, uint64_t(repeat) * 128))
        RuleBroken("vector-overlap", "Sort32: dst overlaps src0 or src1; the instruction reads its sources while it writes the sorted "
                   "records, so keep dst apart from both",
                   ret);
    ModelVector("Sort32", repeat);
    if (Model() != nullptr) {
        ModelAccess(score, uint64_t(repeat) * 32 * size, false, "Sort32", ret);
        ModelAccess(index, uint64_t(repeat) * 128, false, "Sort32", ret);
        ModelAccess(dst, out, true, "Sort32", ret);
    }
    std::vector<uint8_t> res(out, 0);
    int order[32];
    float key[32];
    for (uint32_t r = 0; r < repeat; ++r) {
        const uint8_t* s = static_cast<const uint8_t*>(score) + uint64_t(r) * 32 * size;
        for (int i = 0; i < 32; ++i) key[i] = ScoreOf(t, s + i * size);
        std::iota(order, order + 32, 0);
        std::stable_sort(order, order + 32, [&](int a, int b) { return key[a] > key[b]; });
        for (int i = 0; i < 32; ++i) {
            uint8_t* rec = res.data() + uint64_t(r) * 256 + i * 8;
            std::memcpy(rec, s + order[i] * size, size);
            std::memcpy(rec + 4, index + uint64_t(r) * 32 + order[i], 4);
        }
    }
    std::memcpy(dst, res.data(), out);
}

void VecMrgSort(DType t, void* dst, const void* const src[4], const uint16_t lens[4], uint16_t validBit,
                bool exhaustedSuspension, uint32_t repeat) {
    RequireSortType("MrgSort", t);
    const void* ret = __builtin_return_address(0);
    const int lists = validBit == 3 ? 2 : (validBit == 7 ? 3 : 4);
    uint64_t total = 0;
    for (int i = 0; i < lists; ++i) total += lens[i];
    const uint64_t groupBytes = total * 8;
    for (int i = 0; i < lists; ++i)
        if (Overlap(dst, groupBytes * repeat, src[i], uint64_t(lens[i]) * 8 * (repeat > 1 ? 4 * repeat : 1))) {
            RuleBroken("vector-overlap", std::string("MrgSort: dst overlaps source list " + std::to_string(i + 1) +
                           "; the NPU does not allow source and destination to overlap (MrgSort.md)").c_str(),
                       ret);
            break;
        }
    CoreState& c = Core();
    std::vector<uint8_t> out;
    uint16_t taken[4] = {};
    for (uint32_t r = 0; r < repeat; ++r) {
        const uint8_t* p[4];
        for (int i = 0; i < lists; ++i) p[i] = static_cast<const uint8_t*>(src[i]) + uint64_t(r) * groupBytes;
        uint16_t pos[4] = {};
        for (;;) {
            int best = -1;
            bool exhausted = false;
            for (int i = 0; i < lists; ++i) {
                if (pos[i] >= lens[i]) {
                    exhausted = true;
                    continue;
                }
                if (best < 0 || ScoreOf(t, p[i] + pos[i] * 8) > ScoreOf(t, p[best] + pos[best] * 8)) best = i;
            }
            if (best < 0 || (exhaustedSuspension && exhausted)) break;
            out.insert(out.end(), p[best] + pos[best] * 8, p[best] + pos[best] * 8 + 8);
            ++pos[best];
        }
        std::copy(pos, pos + 4, taken);
        if (Model() != nullptr)
            for (int i = 0; i < lists; ++i) ModelAccess(p[i], uint64_t(pos[i]) * 8, false, "MrgSort", ret);
    }
    ModelVector("MrgSort", (out.size() / 8 + 31) / 32);
    ModelAccess(dst, out.size(), true, "MrgSort", ret);
    if (!out.empty()) std::memcpy(dst, out.data(), out.size());
    std::copy(taken, taken + 4, c.mrgSortCount);
}

void MrgSortTaken(uint16_t taken[4]) { std::copy(Core().mrgSortCount, Core().mrgSortCount + 4, taken); }

}  // namespace rt
}  // namespace opkit
