// Shared host tiling of opkit's row kernels (the `gen` kinds rownorm, reduce, broadcast; kernels in
// kernels/rows.h and its users).
//
// Note [Row split]: the work items of a row kernel (rows for rownorm and broadcast, results or row
// chunks for reduce) are spread over the cores by SplitItems (Note [Elementwise split]), with a
// unit of one item, or of one 32-byte block of results where each item gives one output element
// (reduce's row path). A tile holds tileLength items, sized from the UB budget and at most 4095 rows
// (DataCopyPad's blockCount). In UB each row sits at a 32-byte-aligned stride.
// Tails: on SoCs with DataCopyPad (910B) rows of any length move byte-exactly (tiling key 1). Without
// it (910A/310P, key 2) a row that is not whole 32-byte blocks cannot be moved without touching its
// neighbour, so the tiling refuses it with a message; the reduce's result remainder is an aligned
// window ending at the core's end, as in the elementwise kernels.
#pragma once

#include <cstdio>

#include "elementwise_tiling.h"

namespace optiling {

constexpr uint64_t ROW_MAX_TILE = 4095;  // DataCopyPad's blockCount limit
constexpr uint64_t ROW_UB_RESERVED = 8 * 1024;

inline uint64_t UbBudget(gert::TilingContext* context) {
    uint64_t ub = 0;
    platform_ascendc::PlatformAscendC(context->GetPlatformInfo()).GetCoreMemSize(platform_ascendc::CoreMemType::UB, ub);
    return ub - ROW_UB_RESERVED;
}

// Elements of a row of `cols` in UB: cols rounded up to whole 32-byte blocks.
inline uint64_t RowStrideOf(uint64_t cols, uint32_t dtypeSize) {
    const uint64_t unit = 32 / dtypeSize;
    return (cols + unit - 1) / unit * unit;
}

// Without DataCopyPad a row must be whole 32-byte blocks (Note [Row split]); `what` names the row.
inline ge::graphStatus CheckRowMovable(gert::TilingContext* context, uint64_t cols, uint32_t dtypeSize,
                                       const char* what) {
    if (HasDataCopyPad(context) || cols * dtypeSize % 32 == 0) return ge::GRAPH_SUCCESS;
    std::fprintf(stderr, "%s tiling: %s is %llu elements (%llu bytes), not a multiple of 32 bytes; this SoC has no "
                 "DataCopyPad, so the kernel cannot move such rows without touching the next one. Use a length of "
                 "whole 32-byte blocks here, or a 910B-class SoC\n", context->GetNodeName(), what,
                 static_cast<unsigned long long>(cols), static_cast<unsigned long long>(cols * dtypeSize));
    return ge::GRAPH_FAILED;
}

// rownorm: input 0 is x[..., cols]; the output and nParams param rows (gamma, beta: [cols]) follow
// it. UB: x and y queues (2 buffers each), the params, scratchRows rows and a reduce's work area.
template <typename TilingData>
inline ge::graphStatus TileRowNorm(gert::TilingContext* context, uint32_t nParams, uint32_t scratchRows,
                                   TilingData& tiling) {
    const gert::Shape& shape = context->GetInputShape(0)->GetStorageShape();
    const uint32_t size = DTypeBytes(context->GetInputDesc(0)->GetDataType());
    const uint64_t cols = shape.GetDimNum() == 0 ? 1 : shape.GetDim(shape.GetDimNum() - 1);
    const uint64_t total = cols == 0 ? 0 : shape.GetShapeSize() / cols;
    if (CheckRowMovable(context, cols, size, "the last axis") != ge::GRAPH_SUCCESS) return ge::GRAPH_FAILED;
    const uint64_t stride = RowStrideOf(cols, size);
    const uint64_t fixed = (nParams * stride + scratchRows * stride + 4 * stride + 64) * size;
    ElementwiseSplit s;
    const uint64_t minRows = (16 * 1024 + cols * size - 1) / (cols * size ? cols * size : 1);
    if (SplitItems(context, total, 1, 1, 2 * 2 * stride * size, fixed, minRows, s, ROW_MAX_TILE) != ge::GRAPH_SUCCESS) {
        std::fprintf(stderr, "%s tiling: a row of %llu elements does not fit the UB with its params and scratch; "
                     "a longer last axis needs the kernel to split rows (write it with --kind custom)\n",
                     context->GetNodeName(), static_cast<unsigned long long>(cols));
        return ge::GRAPH_FAILED;
    }
    SetSplit(tiling, total, s);
    tiling.set_cols(static_cast<uint32_t>(cols));
    tiling.set_scratchRows(scratchRows);
    return SaveTiling(context, tiling);
}

// rownorm's shapes: y takes x's shape; every param given must be one row of x's last axis.
inline ge::graphStatus InferRowNormShape(gert::InferShapeContext* context, size_t nInputs) {
    const gert::Shape* x = context->GetInputShape(0);
    if (x == nullptr) return ge::GRAPH_FAILED;
    const int64_t cols = x->GetDimNum() == 0 ? 1 : x->GetDim(x->GetDimNum() - 1);
    for (size_t i = 1; i < nInputs; ++i) {
        const gert::Shape* p = context->GetOptionalInputShape(i);
        if (p != nullptr && (p->GetDimNum() != 1 || p->GetDim(0) != cols)) {
            std::fprintf(stderr, "%s: input %zu must have shape [%lld], the last axis of input 0\n",
                         context->GetNodeName(), i, static_cast<long long>(cols));
            return ge::GRAPH_FAILED;
        }
    }
    *context->GetOutputShape(0) = *x;
    return ge::GRAPH_SUCCESS;
}

}  // namespace optiling
