// Host tiling and shape inference of opkit's broadcast kernels (kernels/broadcast.h,
// `gen --kind broadcast`).
//
// Note [Broadcast plan]: the output's shape is numpy's broadcast of the inputs' shapes. Axes of size
// 1 are dropped, and adjacent axes merge where every input has both or lacks both, so a bias add
// [4096, 1024] + [1024] becomes one outer axis of 4096 and cols = 1024. The last merged axis is the
// row (cols); the others (at most BROADCAST_MAX_DIMS) give each input a stride per axis, 0 where the
// input is broadcast. An input lacking the last axis gives one element per row (inFlags without
// BROADCAST_INNER); an input shaped like the output is copied a tile at a time (BROADCAST_FULL).
// Rows are then split as in Note [Row split].
#pragma once

#include <cstdio>
#include <vector>

#include "rows_tiling.h"

namespace optiling {

constexpr uint32_t BROADCAST_MAX_DIMS = 8;
constexpr uint32_t BROADCAST_FULL = 1;
constexpr uint32_t BROADCAST_INNER = 2;

// numpy's broadcast of the n inputs' shapes into `out`; false (with a message) when they do not fit.
template <typename GetShape>
inline bool BroadcastShapes(size_t n, GetShape shapeOf, const char* node, gert::Shape& out) {
    size_t rank = 0;
    for (size_t i = 0; i < n; ++i) rank = shapeOf(i).GetDimNum() > rank ? shapeOf(i).GetDimNum() : rank;
    out = gert::Shape();
    for (size_t d = 0; d < rank; ++d) {
        int64_t dim = 1;
        for (size_t i = 0; i < n; ++i) {
            const gert::Shape& s = shapeOf(i);
            const size_t pad = rank - s.GetDimNum();
            const int64_t v = d < pad ? 1 : s.GetDim(d - pad);
            if (v != 1 && dim != 1 && v != dim) {
                std::fprintf(stderr, "%s: input %zu's axis %zu is %lld, which does not broadcast with %lld (numpy's "
                             "rules: equal, or 1)\n", node, i, d - pad, static_cast<long long>(v),
                             static_cast<long long>(dim));
                return false;
            }
            dim = v != 1 ? v : dim;
        }
        out.AppendDim(dim);
    }
    return true;
}

inline ge::graphStatus InferBroadcastShape(gert::InferShapeContext* context, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (context->GetInputShape(i) == nullptr) return ge::GRAPH_FAILED;
    gert::Shape out;
    auto shapeOf = [&](size_t i) -> const gert::Shape& { return *context->GetInputShape(i); };
    if (!BroadcastShapes(n, shapeOf, context->GetNodeName(), out)) return ge::GRAPH_FAILED;
    *context->GetOutputShape(0) = out;
    return ge::GRAPH_SUCCESS;
}

struct BroadcastPlan {
    std::vector<uint64_t> dims;                 // the merged axes; the last is cols
    std::vector<std::vector<bool>> has;         // per input, per merged axis: the input has it
    uint64_t rows = 1, cols = 1;
};

// Note [Broadcast plan]: merge the output's axes.
template <typename GetShape>
inline void PlanBroadcast(size_t n, GetShape shapeOf, const gert::Shape& out, BroadcastPlan& p) {
    const size_t rank = out.GetDimNum();
    p.has.assign(n, {});
    for (size_t d = 0; d < rank; ++d) {
        if (out.GetDim(d) == 1) continue;
        std::vector<bool> col(n);
        for (size_t i = 0; i < n; ++i) {
            const gert::Shape& s = shapeOf(i);
            const size_t pad = rank - s.GetDimNum();
            col[i] = d >= pad && s.GetDim(d - pad) != 1;
        }
        bool same = !p.dims.empty();
        for (size_t i = 0; same && i < n; ++i) same = p.has[i].back() == col[i];
        if (same) {
            p.dims.back() *= static_cast<uint64_t>(out.GetDim(d));
            continue;
        }
        p.dims.push_back(static_cast<uint64_t>(out.GetDim(d)));
        for (size_t i = 0; i < n; ++i) p.has[i].push_back(col[i]);
    }
    if (p.dims.empty()) {  // a one-element output
        p.dims.push_back(1);
        for (size_t i = 0; i < n; ++i) p.has[i].push_back(true);
    }
    p.cols = p.dims.back();
    for (size_t d = 0; d + 1 < p.dims.size(); ++d) p.rows *= p.dims[d];
}

// The plan's fields of the tiling struct: outDims, inStrides (elements, 0 where broadcast), inFlags,
// inSizes; then the row split.
template <typename TilingData>
inline ge::graphStatus TileBroadcast(gert::TilingContext* context, size_t n, uint32_t scratchBytesPerElem,
                                     TilingData& tiling) {
    gert::Shape out;
    auto shapeOf = [&](size_t i) -> const gert::Shape& { return context->GetInputShape(i)->GetStorageShape(); };
    if (!BroadcastShapes(n, shapeOf, context->GetNodeName(), out)) return ge::GRAPH_FAILED;
    BroadcastPlan p;
    PlanBroadcast(n, shapeOf, out, p);
    const size_t outerDims = p.dims.size() - 1;
    if (outerDims > BROADCAST_MAX_DIMS) {
        std::fprintf(stderr, "%s tiling: the broadcast needs %zu outer axes after merging, more than the kernel's %u\n",
                     context->GetNodeName(), outerDims, BROADCAST_MAX_DIMS);
        return ge::GRAPH_FAILED;
    }
    const uint32_t size = DTypeBytes(context->GetInputDesc(0)->GetDataType());
    if (CheckRowMovable(context, p.cols, size, "the output's last merged axis") != ge::GRAPH_SUCCESS)
        return ge::GRAPH_FAILED;
    uint32_t dims[BROADCAST_MAX_DIMS] = {}, flags[BROADCAST_MAX_DIMS] = {}, sizes[BROADCAST_MAX_DIMS] = {};
    uint32_t strides[BROADCAST_MAX_DIMS * BROADCAST_MAX_DIMS] = {};
    for (size_t d = 0; d < outerDims; ++d) dims[d] = static_cast<uint32_t>(p.dims[d]);
    for (size_t i = 0; i < n; ++i) {
        uint64_t step = p.has[i].back() ? p.cols : 1;
        for (size_t d = outerDims; d-- > 0;) {
            strides[i * BROADCAST_MAX_DIMS + d] = p.has[i][d] ? static_cast<uint32_t>(step) : 0;
            step *= p.has[i][d] ? p.dims[d] : 1;
        }
        bool full = true;
        for (bool h : p.has[i]) full = full && h;
        flags[i] = (full ? BROADCAST_FULL : 0) | (p.has[i].back() ? BROADCAST_INNER : 0);
        sizes[i] = static_cast<uint32_t>(shapeOf(i).GetShapeSize());
    }
    tiling.set_ndim(static_cast<uint32_t>(outerDims));
    tiling.set_cols(static_cast<uint32_t>(p.cols));
    tiling.set_outDims(dims);
    tiling.set_inStrides(strides);
    tiling.set_inFlags(flags);
    tiling.set_inSizes(sizes);
    const uint64_t stride = RowStrideOf(p.cols, size);
    ElementwiseSplit s;
    const uint64_t minRows = (16 * 1024 + p.cols * size - 1) / (p.cols * size);
    const uint64_t perRow = ((n + 1) * 2 * size + scratchBytesPerElem) * stride;
    if (SplitItems(context, p.rows, 1, 1, perRow, 0, minRows, s, ROW_MAX_TILE) != ge::GRAPH_SUCCESS) {
        std::fprintf(stderr, "%s tiling: an output row of %llu elements does not fit the UB; a longer last axis needs "
                     "the kernel to split rows (write it with --kind custom)\n", context->GetNodeName(),
                     static_cast<unsigned long long>(p.cols));
        return ge::GRAPH_FAILED;
    }
    SetSplit(tiling, p.rows, s);
    return SaveTiling(context, tiling);
}

}  // namespace optiling
