// Shared Ascend C skeletons of opkit's row kernels, the `gen` kinds rownorm, reduce and broadcast:
// a tensor seen as rows of `cols` elements, streamed GM -> UB -> GM through double-buffered queues,
// each row in UB at a 32-byte-aligned `stride` (cols rounded up to 32 bytes). The op supplies only
// the compute. The split and the tails are Note [Row split] in host/rows_tiling.h:
//
//   GM rows  |<- core 0 ->|<- core 1 ->| ... |<- last core ->|      (whole rows per core)
//   UB tile  row 0: [cols .. pad to 32 B]                         (tileLength rows, 2 buffers)
//            row 1: [cols .. pad to 32 B]
//   PAD=true  (910B):      DataCopyPad moves rows of any length (blockCount rows, blockLen cols bytes)
//   PAD=false (910A/310P): rows must be whole 32-byte blocks (the host refuses others); a reduce's
//                          output remainder is an aligned window ending at the core's end
#pragma once

#include "elementwise.h"

namespace opkit_kernels {

using namespace AscendC;

// Cols rounded up to whole 32-byte blocks: the UB distance between rows.
template <typename T>
__aicore__ inline uint32_t RowStride(uint32_t cols) {
    return (cols + UnitElems<T>() - 1) / UnitElems<T>() * UnitElems<T>();
}

// n rows of `cols` elements, `gmStride` elements apart in GM, into UB rows RowStride(cols) apart.
template <bool PAD, typename T>
__aicore__ inline void CopyRowsIn(const LocalTensor<T>& dst, const GlobalTensor<T>& src, uint32_t n, uint32_t cols,
                                  uint32_t gmStride) {
    if constexpr (PAD) {
        DataCopyExtParams copy{static_cast<uint16_t>(n), static_cast<uint32_t>(cols * sizeof(T)),
                               static_cast<uint32_t>((gmStride - cols) * sizeof(T)), 0, 0};
        DataCopyPad(dst, src, copy, DataCopyPadExtParams<T>{false, 0, 0, T(0)});
    } else if (gmStride == cols) {
        DataCopy(dst, src, n * cols);  // cols is whole blocks here (host/rows_tiling.h)
    } else {
        DataCopyParams copy{static_cast<uint16_t>(n), static_cast<uint16_t>(cols / UnitElems<T>()),
                            static_cast<uint16_t>((gmStride - cols) / UnitElems<T>()), 0};
        DataCopy(dst, src, copy);
    }
}

// n UB rows RowStride(cols) apart to n contiguous GM rows of `cols` elements.
template <bool PAD, typename T>
__aicore__ inline void CopyRowsOut(const GlobalTensor<T>& dst, const LocalTensor<T>& src, uint32_t n, uint32_t cols) {
    if constexpr (PAD) {
        DataCopyExtParams copy{static_cast<uint16_t>(n), static_cast<uint32_t>(cols * sizeof(T)), 0, 0, 0};
        DataCopyPad(dst, src, copy);
    } else {
        DataCopy(dst, src, n * cols);
    }
}

// A vector result as a scalar: waits for the vector pipe, then reads t[i] on the scalar unit.
template <typename T>
__aicore__ inline T ReadScalar(const LocalTensor<T>& t, uint32_t i = 0) {
    SetFlag<HardEvent::V_S>(EVENT_ID0);
    WaitFlag<HardEvent::V_S>(EVENT_ID0);
    return t.GetValue(i);
}

// UB scratch a row compute may use: `tmp` holds rows of `stride` elements (SCRATCH_ROWS in
// op_host), `work` is the work area of ReduceSum/ReduceMax/ReduceMin over a row, `red` takes their
// results (dst[0], and dst[1] for an index).
template <typename T>
struct RowScratch {
    LocalTensor<T> tmp, work, red;
};

// Scratch carved from one TBuf: tmpRows rows, then a row's reduce work area, then 32 bytes of results.
template <typename T>
__aicore__ inline RowScratch<T> MakeScratch(TPipe& pipe, TBuf<TPosition::VECCALC>& buf, uint32_t stride,
                                            uint32_t tmpRows) {
    const uint32_t work = 2 * RowStride<T>(stride) + 2 * UnitElems<T>();  // >= ReduceMax's need for a row
    pipe.InitBuffer(buf, (tmpRows * stride + work + UnitElems<T>()) * sizeof(T));
    RowScratch<T> s;
    s.tmp = buf.Get<T>();
    s.work = s.tmp[tmpRows * stride];
    s.red = s.tmp[tmpRows * stride + work];
    return s;
}

}  // namespace opkit_kernels
