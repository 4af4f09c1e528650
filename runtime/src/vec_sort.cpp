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
//   - NaN ranks above every number, +inf included, and NaNs tie with each other (so keep source or
//     list order). The basic-API pages say nothing about NaN; TopK.md, whose 910B implementation is
//     Sort32 + MrgSort on the scores (negated for the smallest k), says NaN comes first whether the
//     largest or the smallest are asked for, which only this ranking gives (a NaN stays a NaN when
//     negated). Comparing with a plain `>` would also make the order depend on where the NaN sits.
//   - Neither instruction allows dst to overlap a source (MrgSort.md: 不支持源操作数和目的操作数地址重叠).
//   - Cost: 2 elements per cycle for both (Vector指令理论性能汇总.md, 排序组合类), i.e. 16 cycles per
//     32 records (the "repeats" passed to the model count 32-record units).
//
// Note [Region proposals]: (排序组合（ISASI）/{RpSort16,MrgSort4,ProposalConcat,ProposalExtract}.md;
// Ascend910A with half, Ascend310P with half or float)
//   - A region proposal is 8 elements of T, [x1, y1, x2, y2, score, label, reserved, reserved]: 16
//     bytes of half (score in bytes 8..9) or 32 of float (score in bytes 16..19).
//   - RpSort16 sorts each repeat's 16 proposals by score, highest first; of equal scores the
//     earlier proposal comes first; NaN ranks as in Note [Sort regions] (TopK.md's NaN rule covers
//     the 310P TopK, built on these). MrgSort4 merges up to 4 sorted lists of proposals as MrgSort
//     does its records (the same validBit, repeat and exhaustion rules; equal scores keep list order).
//   - ProposalConcat writes 16 consecutive elements into field modeNumber (0..5) of 16 proposals and
//     leaves the other fields alone; ProposalExtract gathers that field of 16 proposals into 16
//     consecutive elements.
//   - Only MrgSort4's page forbids its operands to overlap. The others run repeat after repeat, each
//     reading its 16 proposals or elements before writing, which is what makes an in-place RpSort16
//     (the docs' own example) and an in-place extraction into the front of the proposals (the 2023
//     TopK sample: ProposalExtract(buf, buf, ...)) give what they give on the NPU; opkit does the same.
//   - Cost: no published figure for these SoCs. Assumed as arch 2201's Sort32/MrgSort, 2 elements
//     per cycle: RpSort16 8 cycles per repeat, MrgSort4 16 cycles per 32 proposals; ProposalConcat
//     and ProposalExtract one cycle per repeat like a simple vector instruction.
#include <algorithm>
#include <cmath>
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

// a sorts strictly before b (Note [Sort regions]: NaN above everything, NaNs equal).
bool SortsBefore(float a, float b) {
    if (std::isnan(a)) return !std::isnan(b);
    return !std::isnan(b) && a > b;
}

bool Overlap(const void* a, uint64_t an, const void* b, uint64_t bn) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return an != 0 && bn != 0 && pa < pb + bn && pb < pa + an;
}

void RequireSortType(const char* op, DType t) {
    RequireDType(op, t, DTypeBit(DType::F16) | DTypeBit(DType::F32));
    RequireArch2201(op);
}

// The region-proposal instructions exist on the coupled SoCs: Ascend910A (arch 1001) with half
// proposals, Ascend310P (arch 2002) with half or float.
void RequireProposalType(const char* op, DType t) {
    const SocInfo* soc = Core().soc;
    if (soc != nullptr && soc->arch != 1001 && soc->arch != 2002)
        Fail(std::string(op) + " does not exist on " + soc->name + " (arch " + std::to_string(soc->arch) +
             "); the Ascend C reference lists it for Atlas training (Ascend910A) and Atlas inference AI Core "
             "(Ascend310P) only. On Atlas A2/A3 sort with Sort32 and MrgSort");
    RequireDType(op, t, soc != nullptr && soc->arch == 1001 ? DTypeBit(DType::F16) : DTypeBit(DType::F16) | DTypeBit(DType::F32));
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
        std::stable_sort(order, order + 32, [&](int a, int b) { return SortsBefore(key[a], key[b]); });
        for (int i = 0; i < 32; ++i) {
            uint8_t* rec = res.data() + uint64_t(r) * 256 + i * 8;
            std::memcpy(rec, s + order[i] * size, size);
            std::memcpy(rec + 4, index + uint64_t(r) * 32 + order[i], 4);
        }
    }
    std::memcpy(dst, res.data(), out);
}

void VecMrgSort(DType t, const char* op, uint32_t recBytes, uint32_t scoreAt, void* dst, const void* const src[4],
                const uint16_t lens[4], uint16_t validBit, bool exhaustedSuspension, uint32_t repeat) {
    const bool proposals = recBytes != 8;
    if (proposals) RequireProposalType(op, t);
    else RequireSortType(op, t);
    const void* ret = __builtin_return_address(0);
    const int lists = validBit == 3 ? 2 : (validBit == 7 ? 3 : 4);
    uint64_t total = 0;
    for (int i = 0; i < lists; ++i) total += lens[i];
    const uint64_t groupBytes = total * recBytes;
    // With repeatTimes > 1 the lists lie one after another, and the repeats read groupBytes each.
    for (int i = 0; i < lists; ++i)
        if (repeat > 1 ? i == 0 && Overlap(dst, groupBytes * repeat, src[0], groupBytes * repeat)
                       : Overlap(dst, groupBytes, src[i], uint64_t(lens[i]) * recBytes)) {
            RuleBroken("vector-overlap", (std::string(op) + ": dst overlaps source list " + std::to_string(i + 1) +
                                          "; the NPU does not allow source and destination to overlap (" + op + ".md)").c_str(),
                       ret);
            break;
        }
    CoreState& c = Core();
    // Written to a buffer first: after a vector-overlap finding npu_simulator goes on, and the
    // sources must not change under the merge.
    std::vector<uint8_t> out;
    out.reserve(groupBytes * repeat);
    uint16_t taken[4] = {};
    for (uint32_t r = 0; r < repeat; ++r) {
        const uint8_t* p[4];
        uint16_t pos[4] = {};
        float head[4];  // the score at the head of each list
        for (int i = 0; i < lists; ++i) {
            p[i] = static_cast<const uint8_t*>(src[i]) + uint64_t(r) * groupBytes;
            if (lens[i] > 0) head[i] = ScoreOf(t, p[i] + scoreAt);
        }
        for (;;) {
            int best = -1;
            bool exhausted = false;
            for (int i = 0; i < lists; ++i) {
                if (pos[i] >= lens[i]) {
                    exhausted = true;
                    continue;
                }
                if (best < 0 || SortsBefore(head[i], head[best])) best = i;
            }
            if (best < 0 || (exhaustedSuspension && exhausted)) break;
            const uint8_t* rec = p[best] + uint64_t(pos[best]) * recBytes;
            out.insert(out.end(), rec, rec + recBytes);
            if (++pos[best] < lens[best]) head[best] = ScoreOf(t, rec + recBytes + scoreAt);
        }
        std::copy(pos, pos + 4, taken);
        if (Model() != nullptr)
            for (int i = 0; i < lists; ++i) ModelAccess(p[i], uint64_t(pos[i]) * recBytes, false, op, ret);
    }
    // The model's unit is 32 records of 8 bytes (Note [Sort regions]); proposals count by record.
    ModelVector(proposals ? "MrgSort4" : "MrgSort", (out.size() / recBytes + 31) / 32);
    ModelAccess(dst, out.size(), true, op, ret);
    if (!out.empty()) std::memcpy(dst, out.data(), out.size());
    std::copy(taken, taken + 4, c.mrgSortCount);
}

void VecRpSort16(DType t, void* dst, const void* src, uint32_t repeat) {
    RequireProposalType("RpSort16", t);
    const void* ret = __builtin_return_address(0);
    const uint32_t size = DTypeSize(t), rec = 8 * size, bytes = 16 * rec;
    ModelVector("RpSort16", repeat);
    if (Model() != nullptr) {
        ModelAccess(src, uint64_t(repeat) * bytes, false, "RpSort16", ret);
        ModelAccess(dst, uint64_t(repeat) * bytes, true, "RpSort16", ret);
    }
    uint8_t in[16 * 32];
    int order[16];
    float key[16];
    for (uint32_t r = 0; r < repeat; ++r) {  // repeat by repeat: Note [Region proposals]
        std::memcpy(in, static_cast<const uint8_t*>(src) + uint64_t(r) * bytes, bytes);
        for (int i = 0; i < 16; ++i) key[i] = ScoreOf(t, in + i * rec + 4 * size);
        std::iota(order, order + 16, 0);
        std::stable_sort(order, order + 16, [&](int a, int b) { return SortsBefore(key[a], key[b]); });
        uint8_t* d = static_cast<uint8_t*>(dst) + uint64_t(r) * bytes;
        for (int i = 0; i < 16; ++i) std::memcpy(d + i * rec, in + order[i] * rec, rec);
    }
}

void VecProposalMove(DType t, bool concat, void* dst, const void* src, uint32_t repeat, int32_t mode) {
    const char* op = concat ? "ProposalConcat" : "ProposalExtract";
    RequireProposalType(op, t);
    if (mode < 0 || mode > 5)
        Fail(std::string(op) + ": modeNumber " + std::to_string(mode) +
             " is outside 0..5 (0 x1, 1 y1, 2 x2, 3 y2, 4 score, 5 label)");
    const void* ret = __builtin_return_address(0);
    const uint32_t size = DTypeSize(t), rec = 8 * size;
    ModelVector(op, repeat);
    if (Model() != nullptr) {
        ModelAccess(src, uint64_t(repeat) * (concat ? 16 * size : 16 * rec), false, op, ret);
        ModelAccess(dst, uint64_t(repeat) * (concat ? 16 * rec : 16 * size), true, op, ret);
    }
    uint8_t field[16 * 4];
    for (uint32_t r = 0; r < repeat; ++r) {  // repeat by repeat: Note [Region proposals]
        if (concat) {
            std::memcpy(field, static_cast<const uint8_t*>(src) + uint64_t(r) * 16 * size, 16 * size);
            uint8_t* d = static_cast<uint8_t*>(dst) + uint64_t(r) * 16 * rec + uint64_t(mode) * size;
            for (int i = 0; i < 16; ++i) std::memcpy(d + i * rec, field + i * size, size);
        } else {
            const uint8_t* s = static_cast<const uint8_t*>(src) + uint64_t(r) * 16 * rec + uint64_t(mode) * size;
            for (int i = 0; i < 16; ++i) std::memcpy(field + i * size, s + i * rec, size);
            std::memcpy(static_cast<uint8_t*>(dst) + uint64_t(r) * 16 * size, field, 16 * size);
        }
    }
}

void MrgSortTaken(uint16_t taken[4]) { std::copy(Core().mrgSortCount, Core().mrgSortCount + 4, taken); }

}  // namespace rt
}  // namespace opkit
