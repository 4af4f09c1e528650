// Shared host tiling for opkit's elementwise kernels (add_custom, addcdiv_custom, sinh_custom), whose split
// (SplitItems) the row kernels of host/rows_tiling.h use too.
//
// Note [Elementwise split]: the input's whole 32-byte units are spread over the cores as evenly as
// possible: the first `formerNum` cores take `formerLength` elements, the others `tailLength`
// (both whole units, differing by one unit). The last core also takes the remainder that does not
// fill a unit. Each core walks its range in tiles of `tileLength` elements (a multiple of one
// 256-byte vector repeat, sized from the UB budget), then handles its remainder:
//   tiling key 1 (SoC with DataCopyPad): one byte-exact DataCopyPad tile;
//   tiling key 2 (no DataCopyPad, 910A/310P): one 32-byte window ending at the range's end, which
//   recomputes up to a unit's worth of the core's own elements instead of touching another core's.
#pragma once

#include <cstdio>

#include "register/op_def_registry.h"

namespace optiling {

constexpr uint32_t ELEMENTWISE_KEY_PAD = 1;
constexpr uint32_t ELEMENTWISE_KEY_BACKSHIFT = 2;

struct ElementwiseSplit {
    uint32_t blockDim = 1;
    uint32_t formerNum = 0;
    uint32_t formerLength = 0;
    uint32_t tailLength = 0;
    uint32_t tileLength = 0;
    uint32_t tilingKey = ELEMENTWISE_KEY_PAD;
};

inline bool HasDataCopyPad(gert::TilingContext* context) {
    return platform_ascendc::PlatformAscendC(context->GetPlatformInfo()).GetSocVersion() ==
           platform_ascendc::SocVersion::ASCEND910B;
}

// The split of Note [Elementwise split] over `total` items of any kind (elements here; rows for the
// row kernels of host/rows_tiling.h). Cores get whole `unit`s of items; tiles hold a multiple of
// `tileMultiple` items (a multiple of unit), as many as fit the UB after `ubFixed` bytes at
// `ubBytesPerItem` bytes each, at most maxTile. minCoreItems: the least a core is given before another
// core is used. The tiling key says how the remainder that fills no unit is moved.
inline ge::graphStatus SplitItems(gert::TilingContext* context, uint64_t total, uint32_t unit, uint32_t tileMultiple,
                                  uint64_t ubBytesPerItem, uint64_t ubFixed, uint64_t minCoreItems,
                                  ElementwiseSplit& s, uint64_t maxTile = 0xFFFFFFFFull) {
    constexpr uint64_t UB_RESERVED = 8 * 1024;  // kept free for the API's own scratch (TMP_UB area)
    auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    const bool hasPad = HasDataCopyPad(context);
    if (total > 0xFFFFFFFFull) {
        std::fprintf(stderr, "%s tiling: %llu items exceed the 32-bit length field\n", context->GetNodeName(),
                     static_cast<unsigned long long>(total));
        return ge::GRAPH_FAILED;
    }
    if (!hasPad && total > 0 && total < unit) {  // (an empty input launches nothing)
        std::fprintf(stderr, "%s tiling: %llu items are less than one 32-byte block of output; without DataCopyPad "
                     "this SoC cannot move them\n", context->GetNodeName(), static_cast<unsigned long long>(total));
        return ge::GRAPH_FAILED;
    }
    const uint64_t units = total / unit;
    const uint64_t minUnits = (minCoreItems + unit - 1) / unit;
    uint64_t cores = (units + minUnits - 1) / (minUnits ? minUnits : 1);
    cores = cores < 1 ? 1 : (cores > platform.GetCoreNumAiv() ? platform.GetCoreNumAiv() : cores);
    s.blockDim = static_cast<uint32_t>(cores);
    s.formerNum = static_cast<uint32_t>(units % cores);
    s.tailLength = static_cast<uint32_t>(units / cores * unit);
    s.formerLength = s.tailLength + unit;
    const uint64_t budget = ubSize - UB_RESERVED > ubFixed ? ubSize - UB_RESERVED - ubFixed : 0;
    uint64_t tile = budget / ubBytesPerItem;
    tile = tile > maxTile ? maxTile : tile;
    tile = tile / tileMultiple * tileMultiple;
    s.tileLength = static_cast<uint32_t>(tile);
    s.tilingKey = hasPad ? ELEMENTWISE_KEY_PAD : ELEMENTWISE_KEY_BACKSHIFT;
    context->SetBlockDim(s.blockDim);
    context->SetTilingKey(s.tilingKey);
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = 0;
    if (tile < tileMultiple) {
        std::fprintf(stderr, "%s tiling: %llu UB bytes per item plus %llu fixed leave no room for a tile of %u "
                     "items in the %llu-byte UB\n", context->GetNodeName(),
                     static_cast<unsigned long long>(ubBytesPerItem),
                     static_cast<unsigned long long>(ubFixed), tileMultiple, static_cast<unsigned long long>(ubSize));
        return ge::GRAPH_FAILED;
    }
    return ge::GRAPH_SUCCESS;
}

// ubBytesPerElem: UB bytes one tile element needs over all queues (times their buffer count) and
// scratch buffers. minCoreBytes: the least input a core is given before another core is used.
inline ge::graphStatus SplitElementwise(gert::TilingContext* context, uint32_t dtypeSize, uint32_t ubBytesPerElem,
                                        ElementwiseSplit& s, uint32_t minCoreBytes = 16 * 1024) {
    constexpr uint32_t BLOCK = 32, REPEAT = 256;
    const uint64_t total = context->GetInputShape(0)->GetStorageShape().GetShapeSize();
    return SplitItems(context, total, BLOCK / dtypeSize, REPEAT / dtypeSize, ubBytesPerElem, 0,
                      (minCoreBytes + BLOCK - 1) / BLOCK * (BLOCK / dtypeSize), s);
}

// The packed tiling struct into the context's tiling blob.
template <typename TilingData>
inline ge::graphStatus SaveTiling(gert::TilingContext* context, TilingData& tiling) {
    if (tiling.GetDataSize() > context->GetRawTilingData()->GetCapacity()) return ge::GRAPH_FAILED;
    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());
    return ge::GRAPH_SUCCESS;
}

// The split fields every elementwise and row kernel names alike in its tiling struct.
template <typename TilingData>
inline void SetSplit(TilingData& tiling, uint64_t total, const ElementwiseSplit& s) {
    tiling.set_totalLength(static_cast<uint32_t>(total));
    tiling.set_formerNum(s.formerNum);
    tiling.set_formerLength(s.formerLength);
    tiling.set_tailLength(s.tailLength);
    tiling.set_tileLength(s.tileLength);
}

// Writes the split into an op's tiling struct (every elementwise op names these fields alike) and
// the struct into the context's tiling blob.
template <typename TilingData>
inline ge::graphStatus SaveElementwiseTiling(gert::TilingContext* context, const ElementwiseSplit& s,
                                             TilingData& tiling) {
    SetSplit(tiling, context->GetInputShape(0)->GetStorageShape().GetShapeSize(), s);
    return SaveTiling(context, tiling);
}

inline uint32_t DTypeBytes(ge::DataType dt) {
    switch (dt) {
        case ge::DT_FLOAT: case ge::DT_INT32: case ge::DT_UINT32: return 4;
        case ge::DT_INT8: case ge::DT_UINT8: case ge::DT_BOOL: return 1;
        case ge::DT_INT64: case ge::DT_UINT64: case ge::DT_DOUBLE: return 8;
        default: return 2;
    }
}

// The usual elementwise shape rule: every input has the first input's shape, and so does the output.
inline ge::graphStatus InferSameShape(gert::InferShapeContext* context, size_t inputNum) {
    if (context->GetInputShape(0) == nullptr) return ge::GRAPH_FAILED;
    const gert::Shape* first = context->GetInputShape(0);
    for (size_t i = 1; i < inputNum; ++i)
        if (*context->GetInputShape(i) != *first) return ge::GRAPH_FAILED;
    *context->GetOutputShape(0) = *first;
    return ge::GRAPH_SUCCESS;
}

}  // namespace optiling
