// opkit: the reductions (ReduceSum/Max/Min, WholeReduce, BlockReduce, PairReduce) of the vector unit.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include "opkit/rt/api.h"
#include "vec_internal.h"
#include "core_state.h"

namespace opkit {
namespace rt {

// ---- reductions ---------------------------------------------------------------------------------
// Note [Reduction order]: inside one 256-byte repeat the NPU adds pairwise as a binary tree (e0+e1,
// e2+e3, ..., then pairs of those), each partial rounded to the element type; masked-off lanes take
// no part (they enter the tree as exact zeros, which changes no rounding). fp16 partials beyond
// +-65504 saturate to +-65504 instead of overflowing to inf. The count form then adds the repeat
// results one after the other; the level-0 form reduces them with the same tree again. Max/Min are
// order-free; ties give the smallest index.
namespace {

constexpr uint32_t MAX_LANES = 128;

float RoundSum(DType t, float x) {
    if (t != DType::F16) return x;
    float h = HalfBitsToFloat(FloatToHalfBits(x));
    return std::isinf(h) && std::isfinite(x) ? std::copysign(65504.0f, x) : h;
}

struct Partial {
    float value = 0;
    uint32_t index = 0;  // lane of the result inside the group
    bool any = false;    // some lane took part
};

// Reduce lanes [first, first+count) of `v`; `live(l)` says whether lane l takes part.
template <typename Live>
Partial ReduceLanes(Reduce r, DType t, const float* v, uint32_t first, uint32_t count, Live live) {
    Partial p;
    if (r == Reduce::SUM) {
        alignas(64) float tree[MAX_LANES];
        uint32_t width = 1;
        while (width < count) width *= 2;
        for (uint32_t l = 0; l < width; ++l) {
            const bool on = l < count && live(first + l);
            tree[l] = on ? v[first + l] : 0.0f;
            p.any |= on;
        }
        for (; width > 1; width /= 2)
            for (uint32_t j = 0; j < width / 2; ++j) tree[j] = RoundSum(t, tree[2 * j] + tree[2 * j + 1]);
        p.value = tree[0];
        return p;
    }
    for (uint32_t l = 0; l < count; ++l) {
        if (!live(first + l)) continue;
        const float x = v[first + l];
        if (!p.any || (r == Reduce::MAX ? x > p.value : x < p.value)) {
            p.value = x;
            p.index = l;
            p.any = true;
        }
    }
    return p;
}

void LoadLanes(DType t, float* v, const uint8_t* src, uint32_t count) {
    if (t == DType::F16) HalfToFloat(reinterpret_cast<const uint16_t*>(src), v, count);
    else std::memcpy(v, src, count * sizeof(float));
}

// The lanes of repeat r of src0 (s.src0Blk/s.src0Rep in 32-byte blocks); the blocks no lane of which
// the mask enables are not read (Note [Masked-off blocks]): their lanes are 0 and take no part.
void GatherLanes(DType t, float* v, const void* src, const RepeatShape& s, uint32_t r) {
    const uint32_t size = DTypeSize(t), perBlock = 32 / size, enabled = EnabledBlocks(s, 256 / size, perBlock);
    for (uint32_t b = 0; b < 8; ++b) {
        if (!((enabled >> b) & 1u)) {
            std::fill(v + b * perBlock, v + (b + 1) * perBlock, 0.0f);
            continue;
        }
        LoadLanes(t, v + b * perBlock,
                  static_cast<const uint8_t*>(src) + (uint64_t(r) * s.src0Rep + uint64_t(b) * s.src0Blk) * 32, perBlock);
    }
}

void StoreValue(DType t, uint8_t* p, float x) {
    if (t == DType::F16) {
        uint16_t h = FloatToHalfBits(x);
        std::memcpy(p, &h, 2);
    } else {
        std::memcpy(p, &x, 4);
    }
}

// The index is stored as an integer's bits: 16-bit for fp16, 32-bit for fp32 (and ONLY_INDEX).
void StoreIndex(uint8_t* p, uint32_t index, uint32_t bytes) {
    if (bytes == 2) {
        uint16_t v = static_cast<uint16_t>(index);
        std::memcpy(p, &v, 2);
    } else {
        std::memcpy(p, &index, 4);
    }
}

void StoreResult(Reduce r, DType t, uint8_t* p, const Partial& x, bool withIndex) {
    StoreValue(t, p, x.value);
    if (r != Reduce::SUM && withIndex) StoreIndex(p + DTypeSize(t), x.index, DTypeSize(t));
}

void RequireReduceDType(Reduce r, DType t, const char* form) {
    static const char* names[] = {"Sum", "Max", "Min"};
    RequireDType((std::string(form) + names[static_cast<int>(r)]).c_str(), t, DTYPES_FLOAT);
}

// Combine per-repeat partials with the tree of Note [Reduction order], pass after pass, as the NPU
// reduces the partials it wrote to the work tensor. Partials carry global indices.
Partial TreeOfPartials(Reduce r, DType t, std::vector<Partial> parts, uint32_t lanes) {
    while (parts.size() > 1) {
        std::vector<Partial> next;
        alignas(64) float v[MAX_LANES];
        for (size_t g = 0; g < parts.size(); g += lanes) {
            const uint32_t m = static_cast<uint32_t>(std::min<size_t>(lanes, parts.size() - g));
            for (uint32_t l = 0; l < m; ++l) v[l] = parts[g + l].value;
            Partial p = ReduceLanes(r, t, v, 0, m, [&](uint32_t l) { return parts[g + l].any; });
            if (p.any) p.index = parts[g + p.index].index;
            next.push_back(p);
        }
        parts.swap(next);
    }
    return parts.empty() ? Partial{} : parts[0];
}

}  // namespace

void VecReduce(Reduce r, DType t, void* dst, const void* src, int64_t n, bool withIndex) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    RequireReduceDType(r, t, "Reduce");
    ModelVector(r == Reduce::SUM ? "ReduceSum" : (r == Reduce::MAX ? "ReduceMax" : "ReduceMin"), Repeats(n, DTypeSize(t)) + 2);
    if (Model() != nullptr) {
        ModelAccess(src, uint64_t(n) * DTypeSize(t), false, "Reduce", __builtin_return_address(0));
        ModelAccess(dst, (withIndex ? 2 : 1) * DTypeSize(t), true, "Reduce", __builtin_return_address(0));
    }
    const uint32_t size = DTypeSize(t), lanes = 256 / size;
    alignas(64) float v[MAX_LANES];
    Partial total;
    for (int64_t start = 0; start < n; start += lanes) {
        const uint32_t m = static_cast<uint32_t>(std::min<int64_t>(lanes, n - start));
        LoadLanes(t, v, static_cast<const uint8_t*>(src) + start * size, m);
        Partial p = ReduceLanes(r, t, v, 0, m, [](uint32_t) { return true; });
        if (!total.any) {
            total = p;
            total.index += static_cast<uint32_t>(start);
        } else if (r == Reduce::SUM) {
            total.value = RoundSum(t, total.value + p.value);  // sequential, Note [Reduction order]
        } else if (r == Reduce::MAX ? p.value > total.value : p.value < total.value) {
            total.value = p.value;
            total.index = static_cast<uint32_t>(start) + p.index;
        }
    }
    StoreResult(r, t, static_cast<uint8_t*>(dst), total, withIndex);
}

void VecReduceRepeats(Reduce r, DType t, void* dst, const void* src, const RepeatShape& s, int32_t repeat, bool withIndex) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    RequireReduceDType(r, t, "Reduce");
    ModelVector(r == Reduce::SUM ? "ReduceSum" : (r == Reduce::MAX ? "ReduceMax" : "ReduceMin"), uint64_t(repeat) + 2);
    if (Model() != nullptr) ModelAccess(dst, (withIndex ? 2 : 1) * DTypeSize(t), true, "Reduce");
    const uint32_t lanes = 256 / DTypeSize(t);
    alignas(64) float v[MAX_LANES];
    std::vector<Partial> parts;
    auto live = [&](uint32_t l) { return ((s.mask[l / 64] >> (l % 64)) & 1u) != 0; };
    for (int32_t rep = 0; rep < repeat; ++rep) {
        GatherLanes(t, v, src, s, static_cast<uint32_t>(rep));
        parts.push_back(ReduceLanes(r, t, v, 0, lanes, live));
        parts.back().index += static_cast<uint32_t>(rep) * lanes;  // global: repeat*lanes + lane
    }
    if (parts.empty()) return;
    StoreResult(r, t, static_cast<uint8_t*>(dst), TreeOfPartials(r, t, parts, lanes), withIndex);
}

uint32_t ReduceRecordBytes(Reduce r, DType t, ReduceLayout layout) {
    const uint32_t size = DTypeSize(t);
    if (r == Reduce::SUM) return size;
    switch (layout) {
        case ReduceLayout::ONLY_VALUE: return size;
        case ReduceLayout::ONLY_INDEX: return 4;
        default: return 2 * size;
    }
}

void VecReduceGroups(Reduce r, DType t, void* dst, const void* src, const RepeatShape& s, uint32_t groupLanes,
                     ReduceLayout layout, uint64_t dstRepBytes) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    RequireReduceDType(r, t, groupLanes == 2 ? "PairReduce" : (groupLanes * DTypeSize(t) == 32 ? "BlockReduce" : "WholeReduce"));
    ModelVector("WholeReduce", s.repeat);
    if (Model() != nullptr) ModelAccess(dst, uint64_t(s.repeat) * dstRepBytes + 32, true, "WholeReduce");
    const uint32_t size = DTypeSize(t), lanes = 256 / size;
    if (groupLanes == 0 || lanes % groupLanes != 0) Fail("VecReduceGroups: a group must divide the repeat's lanes");
    const uint32_t record = ReduceRecordBytes(r, t, layout);
    alignas(64) float v[MAX_LANES];
    auto live = [&](uint32_t l) { return ((s.mask[l / 64] >> (l % 64)) & 1u) != 0; };
    for (uint32_t rep = 0; rep < s.repeat; ++rep) {
        GatherLanes(t, v, src, s, rep);
        uint8_t* out = static_cast<uint8_t*>(dst) + rep * dstRepBytes;
        for (uint32_t g = 0; g < lanes / groupLanes; ++g, out += record) {
            const Partial p = ReduceLanes(r, t, v, g * groupLanes, groupLanes, live);
            if (!p.any) continue;
            if (r == Reduce::SUM || layout == ReduceLayout::ONLY_VALUE) {
                StoreValue(t, out, p.value);
            } else if (layout == ReduceLayout::ONLY_INDEX) {
                StoreIndex(out, p.index, 4);
            } else if (layout == ReduceLayout::VALUE_INDEX) {
                StoreValue(t, out, p.value);
                StoreIndex(out + size, p.index, size);
            } else {
                StoreIndex(out, p.index, size);
                StoreValue(t, out + size, p.value);
            }
        }
    }
}


}  // namespace rt
}  // namespace opkit
