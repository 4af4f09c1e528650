// opkit's reduce skeleton (`gen --kind reduce`): y = reduce(x) over a run of adjacent axes, seen as
// x[outer, len, inner] -> y[outer, inner] (Note [Reduce plan] in host/rows_tiling.h). The op supplies
// three functions (its OPKIT: COMPUTE block):
//   ReduceRow(dst, src, work, n): dst[0] = the reduction of src[0, n)   (ReduceSum, ReduceMax, ...)
//   Combine(acc, x, n):           acc[0, n) = combine(acc, x), elementwise (Add, Max, ...)
//   Finish(acc, n, len):          acc[0, n) after reducing `len` elements (mean: Muls by 1/len)
//
// Row path (inner == 1, the reduced axes are the last ones; tiling keys 1, 2): each y element is the
// reduction of one row of `len` contiguous elements. Cores take whole 32-byte units of y; a tile of
// y holds tileLength results, read as loadRows rows at a time (rows longer than `chunk` elements are
// read in chunks, reduced with ReduceRow and combined with Combine). y's remainder that fills no
// unit: DataCopyPad (910B) or one aligned window ending at the core's end, recomputed (910A/310P).
//
// Column path (inner > 1; tiling keys 11, 12): each work item is one y row chunk y[o, c : c + w];
// acc = x[o, 0, chunk], then Combine with x[o, r, chunk] for r = 1 .. len-1, loadRows rows a load.
#pragma once

#include "rows.h"

namespace opkit_kernels {

using namespace AscendC;

constexpr uint32_t REDUCE_KEY_COLUMNS = 10;  // added to the tail key (1 pad, 2 window) for the column path

template <typename T>
class ReduceStream {
public:
    template <typename Tiling>
    __aicore__ inline void Init(TPipe& pipe, GM_ADDR x, GM_ADDR y, const Tiling& t) {
        CoreRange(t.formerNum, t.formerLength, t.tailLength, t.totalLength, start_, count_);
        len_ = t.reduceLen;
        inner_ = t.inner;
        chunk_ = t.chunk;
        loadRows_ = t.loadRows;
        tileLength_ = t.tileLength;
        const uint64_t outer = t.outer;
        xGm_.SetGlobalBuffer((__gm__ T*)x, outer * len_ * inner_);
        yGm_.SetGlobalBuffer((__gm__ T*)y, outer * inner_);
        pipe.InitBuffer(inQueue_, BUFFER_NUM, loadRows_ * RowStride<T>(chunk_) * sizeof(T));
        const uint32_t outElems = inner_ == 1 ? RowStride<T>(tileLength_) : RowStride<T>(chunk_);
        pipe.InitBuffer(outQueue_, BUFFER_NUM, outElems * sizeof(T));
        // work area of a ReduceRow over a chunk, then two 32-byte slots (acc, part) for chunked rows
        const uint32_t work = 2 * RowStride<T>(chunk_) + 2 * UnitElems<T>();
        pipe.InitBuffer(workBuf_, (work + 2 * UnitElems<T>()) * sizeof(T));
        work_ = workBuf_.Get<T>();
        acc_ = work_[work];
        part_ = work_[work + UnitElems<T>()];
    }

    // Row path: this core's results y[start, start + count), each one row of len elements.
    template <bool PAD, typename Op>
    __aicore__ inline void ProcessRows(Op& op) {
        ForEachTile<PAD>(count_, tileLength_, UnitElems<T>(), [&](uint32_t off, uint32_t n) {
            LocalTensor<T> y = outQueue_.template AllocTensor<T>();
            for (uint32_t j = 0; j < n; j += loadRows_) ReduceRows<PAD>(op, y, j, start_ + off + j,
                                                                      n - j < loadRows_ ? n - j : loadRows_);
            op.Finish(y, n, len_);
            outQueue_.EnQue(y);
            y = outQueue_.template DeQue<T>();
            if (n % UnitElems<T>() == 0) {
                DataCopy(yGm_[start_ + off], y, n);
            } else {
                DataCopyPad(yGm_[start_ + off], y, DataCopyExtParams{1, static_cast<uint32_t>(n * sizeof(T)), 0, 0, 0});
            }
            outQueue_.FreeTensor(y);
        });
    }

    // Column path: this core's items [start, start + count), item k = y[o, c : c + w].
    template <bool PAD, typename Op>
    __aicore__ inline void ProcessColumns(Op& op) {
        const uint32_t chunks = (inner_ + chunk_ - 1) / chunk_;
        for (uint32_t k = start_; k < start_ + count_; ++k) {
            const uint64_t o = k / chunks;
            const uint32_t c = (k % chunks) * chunk_;
            const uint32_t w = inner_ - c < chunk_ ? inner_ - c : chunk_;
            LocalTensor<T> acc = outQueue_.template AllocTensor<T>();
            for (uint32_t r0 = 0; r0 < len_; r0 += loadRows_) {
                const uint32_t nr = len_ - r0 < loadRows_ ? len_ - r0 : loadRows_;
                LocalTensor<T> x = inQueue_.template AllocTensor<T>();
                CopyRowsIn<PAD>(x, xGm_[(o * len_ + r0) * inner_ + c], nr, w, inner_);
                inQueue_.EnQue(x);
                x = inQueue_.template DeQue<T>();
                for (uint32_t r = 0; r < nr; ++r) {
                    if (r0 + r == 0) {
                        DataCopy(acc, x, RowStride<T>(w));
                    } else {
                        op.Combine(acc, x[r * RowStride<T>(w)], w);
                    }
                }
                inQueue_.FreeTensor(x);
            }
            op.Finish(acc, w, len_);
            outQueue_.EnQue(acc);
            acc = outQueue_.template DeQue<T>();
            CopyRowsOut<PAD>(yGm_[o * inner_ + c], acc, 1, w);
            outQueue_.FreeTensor(acc);
        }
    }

private:
    // y[j, j + n) = the reductions of the n rows from `row` (row path).
    template <bool PAD, typename Op>
    __aicore__ inline void ReduceRows(Op& op, const LocalTensor<T>& y, uint32_t j, uint64_t row, uint32_t n) {
        for (uint32_t c = 0; c < len_; c += chunk_) {
            const uint32_t w = len_ - c < chunk_ ? len_ - c : chunk_;
            LocalTensor<T> x = inQueue_.template AllocTensor<T>();
            CopyRowsIn<PAD>(x, xGm_[row * len_ + c], n, w, len_);
            inQueue_.EnQue(x);
            x = inQueue_.template DeQue<T>();
            if (chunk_ >= len_) {  // whole rows: one result each, straight into y
                for (uint32_t r = 0; r < n; ++r) op.ReduceRow(y[j + r], x[r * RowStride<T>(w)], work_, w);
            } else if (c == 0) {  // chunked: n == 1, the partial results meet in acc_
                op.ReduceRow(acc_, x, work_, w);
            } else {
                op.ReduceRow(part_, x, work_, w);
                op.Combine(acc_, part_, 1);
            }
            inQueue_.FreeTensor(x);
        }
        if (chunk_ < len_) {
            y.SetValue(j, ReadScalar(acc_));
            SetFlag<HardEvent::S_V>(EVENT_ID0);  // Finish reads y on the vector pipe, the copy out on MTE3
            WaitFlag<HardEvent::S_V>(EVENT_ID0);
            SetFlag<HardEvent::S_MTE3>(EVENT_ID0);
            WaitFlag<HardEvent::S_MTE3>(EVENT_ID0);
        }
    }

    TQue<QuePosition::VECIN, BUFFER_NUM> inQueue_;
    TQue<QuePosition::VECOUT, BUFFER_NUM> outQueue_;
    TBuf<TPosition::VECCALC> workBuf_;
    LocalTensor<T> work_, acc_, part_;
    GlobalTensor<T> xGm_, yGm_;
    uint32_t start_ = 0, count_ = 0, len_ = 0, inner_ = 0, chunk_ = 0, loadRows_ = 0, tileLength_ = 0;
};

// Dispatch on the tiling key: 1/2 the row path, 11/12 the column path; 1/11 move tails with
// DataCopyPad, compiled only for cores that have it.
template <typename T, typename Op>
__aicore__ inline void RunReduce(ReduceStream<T>& stream, Op& op) {
#if !defined(__CCE_AICORE__) || __CCE_AICORE__ >= 220
    if (TILING_KEY_IS(1)) return stream.template ProcessRows<true>(op);
    if (TILING_KEY_IS(11)) return stream.template ProcessColumns<true>(op);
#endif
    if (TILING_KEY_IS(2)) return stream.template ProcessRows<false>(op);
    if (TILING_KEY_IS(12)) return stream.template ProcessColumns<false>(op);
    ASSERT(false && "unknown tiling key: expected 1, 2 (row path) or 11, 12 (column path)");
}

}  // namespace opkit_kernels
