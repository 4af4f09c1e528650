// opkit's rownorm skeleton (`gen --kind rownorm`): softmax / layernorm / rmsnorm shaped ops that
// normalise each row of the last axis. Rows stream through double-buffered queues a tile of rows at a
// time (Note [Row split] in host/rows_tiling.h); params such as gamma and beta are rows of the last
// axis's length, loaded once per core.
#pragma once

#include "rows.h"

namespace opkit_kernels {

using namespace AscendC;

// rownorm: y[r, :] = f(x[r, :], params) row by row; params (gamma, beta, ...) are rows of `cols`
// loaded once. The compute is called as compute(yRow, xRow, params, scratch, cols).
template <typename T, int NPARAM>
class RowNormStream {
public:
    template <typename Tiling>
    __aicore__ inline void Init(TPipe& pipe, GM_ADDR x, GM_ADDR const params[NPARAM > 0 ? NPARAM : 1], GM_ADDR y,
                                const Tiling& t) {
        CoreRange(t.formerNum, t.formerLength, t.tailLength, t.totalLength, start_, rows_);
        cols_ = t.cols;
        stride_ = RowStride<T>(cols_);
        tileRows_ = t.tileLength;
        xGm_.SetGlobalBuffer((__gm__ T*)x + uint64_t(start_) * cols_, uint64_t(rows_) * cols_);
        yGm_.SetGlobalBuffer((__gm__ T*)y + uint64_t(start_) * cols_, uint64_t(rows_) * cols_);
        pipe.InitBuffer(inQueue_, BUFFER_NUM, tileRows_ * stride_ * sizeof(T));
        pipe.InitBuffer(outQueue_, BUFFER_NUM, tileRows_ * stride_ * sizeof(T));
        if constexpr (NPARAM > 0) {
            pipe.InitBuffer(paramBuf_, NPARAM * stride_ * sizeof(T));
            for (int i = 0; i < NPARAM; ++i) {
                paramGm_[i].SetGlobalBuffer((__gm__ T*)params[i], cols_);
                present_[i] = params[i] != nullptr;
            }
        }
        scratch_ = MakeScratch<T>(pipe, scratchBuf_, stride_, t.scratchRows);
    }

    template <bool PAD, typename F>
    __aicore__ inline void Process(F&& compute) {
        LocalTensor<T> params[NPARAM > 0 ? NPARAM : 1];
        if constexpr (NPARAM > 0) {
            for (int i = 0; i < NPARAM; ++i) {
                params[i] = paramBuf_.template Get<T>()[i * stride_];
                if (present_[i]) CopyRowsIn<PAD>(params[i], paramGm_[i], 1, cols_, cols_);
            }
            SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
            WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
        }
        ForEachTile<PAD>(rows_, tileRows_, 1, [&](uint32_t off, uint32_t n) {
            LocalTensor<T> x = inQueue_.template AllocTensor<T>();
            CopyRowsIn<PAD>(x, xGm_[uint64_t(off) * cols_], n, cols_, cols_);
            inQueue_.EnQue(x);
            x = inQueue_.template DeQue<T>();
            LocalTensor<T> y = outQueue_.template AllocTensor<T>();
            for (uint32_t r = 0; r < n; ++r) compute(y[r * stride_], x[r * stride_], params, scratch_, cols_);
            outQueue_.EnQue(y);
            inQueue_.FreeTensor(x);
            y = outQueue_.template DeQue<T>();
            CopyRowsOut<PAD>(yGm_[uint64_t(off) * cols_], y, n, cols_);
            outQueue_.FreeTensor(y);
        });
    }

    // Whether params[i] was given (an optional input left out arrives as a null address).
    __aicore__ inline bool Present(int i) const { return present_[i]; }

private:
    TQue<QuePosition::VECIN, BUFFER_NUM> inQueue_;
    TQue<QuePosition::VECOUT, BUFFER_NUM> outQueue_;
    TBuf<TPosition::VECCALC> paramBuf_, scratchBuf_;
    GlobalTensor<T> xGm_, yGm_, paramGm_[NPARAM > 0 ? NPARAM : 1];
    bool present_[NPARAM > 0 ? NPARAM : 1] = {};
    RowScratch<T> scratch_;
    uint32_t start_ = 0, rows_ = 0, cols_ = 0, stride_ = 0, tileRows_ = 0;
};

}  // namespace opkit_kernels
