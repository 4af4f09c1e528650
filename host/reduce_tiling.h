// Host tiling and shape inference of opkit's reduce kernels (kernels/reduce.h, `gen --kind reduce`).
//
// Note [Reduce plan]: the axes attr (negative axes count from the end; an empty list means every
// axis) must name adjacent axes, which splits x's shape into [outer, len, inner]: y[o, i] reduces
// x[o, :, i]. inner == 1 takes the row path (results are the Note [Row split] items, in units of a
// 32-byte block of results; rows longer than the UB allows are read in chunks); inner > 1 takes the
// column path (items are chunks of y's rows, split so that every core gets work where there is
// enough). Reducing non-adjacent axes is refused with a message: transpose first, or write the
// kernel with --kind custom.
#pragma once

#include <cstdio>
#include <vector>

#include "rows_tiling.h"

namespace optiling {

constexpr uint32_t REDUCE_KEY_COLUMNS = 10;

struct ReducePlan {
    uint64_t outer = 1, len = 1, inner = 1;
    std::vector<bool> reduced;  // per axis of x
};

// The axes of attr `attrIndex` (list_int, or int when !isList) over a rank-`rank` shape.
inline bool ReduceAxes(const gert::RuntimeAttrs* attrs, size_t attrIndex, bool isList, size_t rank, const char* node,
                       std::vector<bool>& reduced) {
    std::vector<int64_t> axes;
    if (isList) {
        const auto* list = attrs->GetListInt(attrIndex);
        if (list == nullptr) return false;
        axes.assign(list->GetData(), list->GetData() + list->GetSize());
    } else {
        const int64_t* axis = attrs->GetInt(attrIndex);
        if (axis == nullptr) return false;
        axes.push_back(*axis);
    }
    reduced.assign(rank, axes.empty());
    for (int64_t a : axes) {
        const int64_t n = a < 0 ? a + static_cast<int64_t>(rank) : a;
        if (n < 0 || n >= static_cast<int64_t>(rank)) {
            std::fprintf(stderr, "%s: axis %lld is out of range for a tensor of rank %zu\n", node,
                         static_cast<long long>(a), rank);
            return false;
        }
        reduced[static_cast<size_t>(n)] = true;
    }
    return true;
}

inline bool PlanReduce(const gert::Shape& x, const gert::RuntimeAttrs* attrs, size_t attrIndex, bool isList,
                       const char* node, ReducePlan& p) {
    const size_t rank = x.GetDimNum();
    if (!ReduceAxes(attrs, attrIndex, isList, rank, node, p.reduced)) return false;
    size_t first = rank, last = 0;
    for (size_t d = 0; d < rank; ++d) {
        if (!p.reduced[d]) continue;
        first = first < d ? first : d;
        last = d;
    }
    for (size_t d = first; d < rank && d <= last; ++d) {
        if (!p.reduced[d] && x.GetDim(d) != 1) {
            std::fprintf(stderr, "%s: the reduced axes must be adjacent (axis %zu between them is kept); transpose "
                         "the input first, or write the kernel with --kind custom\n", node, d);
            return false;
        }
    }
    for (size_t d = 0; d < rank; ++d) {
        const uint64_t n = static_cast<uint64_t>(x.GetDim(d));
        (d < first ? p.outer : (d <= last && first < rank ? p.len : p.inner)) *= n;
    }
    return true;
}

// y's shape: x's without the reduced axes, or with them as 1 when keep_dims (keepDimsIndex < 0: none).
inline ge::graphStatus InferReduceShape(gert::InferShapeContext* context, size_t axesIndex, bool isList,
                                        int keepDimsIndex) {
    const gert::Shape* x = context->GetInputShape(0);
    if (x == nullptr) return ge::GRAPH_FAILED;
    std::vector<bool> reduced;
    if (!ReduceAxes(context->GetAttrs(), axesIndex, isList, x->GetDimNum(), context->GetNodeName(), reduced))
        return ge::GRAPH_FAILED;
    const bool* keep = keepDimsIndex < 0 ? nullptr : context->GetAttrs()->GetBool(static_cast<size_t>(keepDimsIndex));
    gert::Shape y;
    for (size_t d = 0; d < x->GetDimNum(); ++d) {
        if (!reduced[d]) y.AppendDim(x->GetDim(d));
        else if (keep != nullptr && *keep) y.AppendDim(1);
    }
    *context->GetOutputShape(0) = y;
    return ge::GRAPH_SUCCESS;
}

template <typename TilingData>
inline void SetReducePlan(TilingData& tiling, const ReducePlan& p, uint64_t chunk, uint64_t loadRows) {
    tiling.set_outer(static_cast<uint32_t>(p.outer));
    tiling.set_reduceLen(static_cast<uint32_t>(p.len));
    tiling.set_inner(static_cast<uint32_t>(p.inner));
    tiling.set_chunk(static_cast<uint32_t>(chunk));
    tiling.set_loadRows(static_cast<uint32_t>(loadRows));
}

// The row path (inner == 1): half the UB for the input (2 buffers of loadRows rows of `chunk`, and a
// ReduceRow's work area), half for the results (2 buffers of tileLength).
template <typename TilingData>
inline ge::graphStatus TileReduceRows(gert::TilingContext* context, const ReducePlan& p, uint32_t size,
                                      TilingData& tiling) {
    const uint64_t half = UbBudget(context) / 2, unit = 32 / size, repeat = 256 / size;
    const uint64_t maxChunk = (half / size - 6 * unit) / 4 / repeat * repeat;  // 2 buffers + 2 work rows
    const uint64_t chunk = p.len <= maxChunk ? p.len : maxChunk;
    const uint64_t stride = RowStrideOf(chunk, size);
    uint64_t loadRows = 1;
    if (chunk == p.len) {
        loadRows = (half / size - 2 * stride - 6 * unit) / (2 * stride);
        loadRows = loadRows < 1 ? 1 : (loadRows > ROW_MAX_TILE ? ROW_MAX_TILE : loadRows);
    }
    ElementwiseSplit s;
    const uint64_t minRows = (16 * 1024 + p.len * size - 1) / (p.len * size ? p.len * size : 1);
    if (SplitItems(context, p.outer, static_cast<uint32_t>(unit), static_cast<uint32_t>(unit), 2 * size, half, minRows,
                   s) != ge::GRAPH_SUCCESS)
        return ge::GRAPH_FAILED;
    SetSplit(tiling, p.outer, s);
    SetReducePlan(tiling, p, chunk, loadRows);
    return SaveTiling(context, tiling);
}

// The column path (inner > 1): items are chunks of y's rows; each loads loadRows rows of x at a time.
template <typename TilingData>
inline ge::graphStatus TileReduceColumns(gert::TilingContext* context, const ReducePlan& p, uint32_t size,
                                         TilingData& tiling) {
    const uint64_t budget = UbBudget(context), repeat = 256 / size;
    const uint32_t cores = platform_ascendc::PlatformAscendC(context->GetPlatformInfo()).GetCoreNumAiv();
    const uint64_t maxChunk = budget / size / 8 / repeat * repeat;  // a load of 2 rows and acc fit twice over
    uint64_t chunk = p.inner <= maxChunk ? p.inner : maxChunk;
    const uint64_t want = (cores + p.outer - 1) / p.outer;  // chunks per y row to give every core an item
    if (want > 1) {
        uint64_t smaller = (p.inner + want - 1) / want;
        smaller = (smaller + repeat - 1) / repeat * repeat;  // at least one 256-byte repeat per chunk
        chunk = smaller < chunk ? smaller : chunk;
    }
    const uint64_t stride = RowStrideOf(chunk, size);
    uint64_t loadRows = (budget / size - 2 * stride) / (2 * stride);
    loadRows = loadRows > ROW_MAX_TILE ? ROW_MAX_TILE : (loadRows > p.len ? p.len : loadRows);
    const uint64_t items = p.outer * ((p.inner + chunk - 1) / chunk);
    ElementwiseSplit s;
    const uint64_t itemBytes = p.len * chunk * size ? p.len * chunk * size : 1;
    const uint64_t minItems = (16 * 1024 + itemBytes - 1) / itemBytes;
    if (SplitItems(context, items, 1, 1, 1, 0, minItems, s) != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
    context->SetTilingKey(s.tilingKey + REDUCE_KEY_COLUMNS);
    SetSplit(tiling, items, s);
    SetReducePlan(tiling, p, chunk, loadRows < 1 ? 1 : loadRows);
    return SaveTiling(context, tiling);
}

// The whole reduce tiling: the plan from the axes attr, then the row or the column path.
template <typename TilingData>
inline ge::graphStatus TileReduce(gert::TilingContext* context, size_t axesIndex, bool isList, TilingData& tiling) {
    const gert::Shape& x = context->GetInputShape(0)->GetStorageShape();
    const uint32_t size = DTypeBytes(context->GetInputDesc(0)->GetDataType());
    ReducePlan p;
    if (!PlanReduce(x, context->GetAttrs(), axesIndex, isList, context->GetNodeName(), p)) return ge::GRAPH_FAILED;
    if (p.inner == 1) {
        if (CheckRowMovable(context, p.len, size, "the reduced length") != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
        return TileReduceRows(context, p, size, tiling);
    }
    if (CheckRowMovable(context, p.inner, size, "the kept inner length") != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
    return TileReduceColumns(context, p, size, tiling);
}

}  // namespace optiling
