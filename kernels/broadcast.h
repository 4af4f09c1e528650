// opkit's broadcast skeleton (`gen --kind broadcast`): out = f(in0, in1, ...) elementwise, the inputs
// broadcast to the output's shape by numpy's rules. The host collapses the output shape to
// [d0, ..., dk, cols] (Note [Broadcast plan] in host/rows_tiling.h); for each output row and input,
// the input's row is either
//   the input's own contiguous rows (same shape as out): one copy for the whole tile,
//   a row of `cols` elements at the row's broadcast offset: one copy per row,
//   one element repeated (the input is broadcast along the last axis): Duplicate per row.
// Rows stream through double-buffered queues, a tile of rows at a time (Note [Row split]), each row
// at a 32-byte-aligned UB stride; the compute runs over the whole tile, padding lanes included.
#pragma once

#include "rows.h"

namespace opkit_kernels {

using namespace AscendC;

constexpr uint32_t BROADCAST_MAX_DIMS = 8;
constexpr uint32_t BROADCAST_FULL = 1;   // the input has the output's shape
constexpr uint32_t BROADCAST_INNER = 2;  // the input has the last (collapsed) axis; else one element per row

template <typename T, int NIN>
class BroadcastStream {
public:
    template <typename Tiling>
    __aicore__ inline void Init(TPipe& pipe, GM_ADDR const in[NIN], GM_ADDR out, const Tiling& t) {
        CoreRange(t.formerNum, t.formerLength, t.tailLength, t.totalLength, start_, rows_);
        cols_ = t.cols;
        stride_ = RowStride<T>(cols_);
        tileRows_ = t.tileLength;
        ndim_ = t.ndim;
        for (uint32_t d = 0; d < ndim_; ++d) dims_[d] = t.outDims[d];
        for (int i = 0; i < NIN; ++i) {
            flags_[i] = t.inFlags[i];
            for (uint32_t d = 0; d < ndim_; ++d) strides_[i][d] = t.inStrides[i * BROADCAST_MAX_DIMS + d];
            inGm_[i].SetGlobalBuffer((__gm__ T*)in[i], t.inSizes[i]);
            pipe.InitBuffer(inQueue_[i], BUFFER_NUM, tileRows_ * stride_ * sizeof(T));
        }
        outGm_.SetGlobalBuffer((__gm__ T*)out + uint64_t(start_) * cols_, uint64_t(rows_) * cols_);
        pipe.InitBuffer(outQueue_, BUFFER_NUM, tileRows_ * stride_ * sizeof(T));
    }

    // compute(out, in, count): in[i] and out hold n rows at stride RowStride(cols); count = n * stride.
    template <bool PAD, typename F>
    __aicore__ inline void Process(F&& compute) {
        ForEachTile<PAD>(rows_, tileRows_, 1, [&](uint32_t off, uint32_t n) {
            for (int i = 0; i < NIN; ++i) CopyIn<PAD>(i, start_ + off, n);
            LocalTensor<T> in[NIN];
            for (int i = 0; i < NIN; ++i) in[i] = inQueue_[i].template DeQue<T>();
            LocalTensor<T> out = outQueue_.template AllocTensor<T>();
            compute(out, in, n * stride_);
            outQueue_.EnQue(out);
            for (int i = 0; i < NIN; ++i) inQueue_[i].FreeTensor(in[i]);
            out = outQueue_.template DeQue<T>();
            CopyRowsOut<PAD>(outGm_[uint64_t(off) * cols_], out, n, cols_);
            outQueue_.FreeTensor(out);
        });
    }

private:
    // Input i's offset (elements) of output row `row`: its strides over the collapsed outer axes.
    __aicore__ inline uint64_t Offset(int i, uint64_t row) const {
        uint64_t off = 0;
        for (uint32_t d = ndim_; d-- > 0;) {
            off += (row % dims_[d]) * strides_[i][d];
            row /= dims_[d];
        }
        return off;
    }

    template <bool PAD>
    __aicore__ inline void CopyIn(int i, uint64_t row, uint32_t n) {
        LocalTensor<T> x = inQueue_[i].template AllocTensor<T>();
        if (flags_[i] & BROADCAST_FULL) {
            CopyRowsIn<PAD>(x, inGm_[i][row * cols_], n, cols_, cols_);
        } else if (flags_[i] & BROADCAST_INNER) {
            for (uint32_t r = 0; r < n; ++r)
                CopyRowsIn<PAD>(x[r * stride_], inGm_[i][Offset(i, row + r)], 1, cols_, cols_);
        } else {
            for (uint32_t r = 0; r < n; ++r) Duplicate(x[r * stride_], inGm_[i].GetValue(Offset(i, row + r)), cols_);
        }
        inQueue_[i].EnQue(x);
    }

    TQue<QuePosition::VECIN, BUFFER_NUM> inQueue_[NIN];
    TQue<QuePosition::VECOUT, BUFFER_NUM> outQueue_;
    GlobalTensor<T> inGm_[NIN];
    GlobalTensor<T> outGm_;
    uint32_t flags_[NIN] = {};
    uint64_t strides_[NIN][BROADCAST_MAX_DIMS] = {};
    uint64_t dims_[BROADCAST_MAX_DIMS] = {};
    uint32_t start_ = 0, rows_ = 0, cols_ = 0, stride_ = 0, tileRows_ = 0, ndim_ = 0;
};

}  // namespace opkit_kernels
