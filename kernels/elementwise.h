// Shared Ascend C skeleton of opkit's elementwise kernels: NIN inputs and one output of type T,
// streamed GM -> UB -> GM through double-buffered queues. The op supplies only the per-tile
// compute. The split it follows is Note [Elementwise split] in host/elementwise_tiling.h:
//
//   GM  |<--- core 0 --->|<--- core 1 --->| ... |<--- last core -------->|rem|
//        former cores: formerLength          others: tailLength      + remainder (< 32 B)
//   per core:  [tile][tile]...[short tile]  then the remainder:
//     PAD=true  (910B):      DataCopyPad of exactly rem elements in and out
//     PAD=false (910A/310P): one 32-byte window ending at the range's end (recomputes own elements)
//
//   UB per input and the output: 2 buffers x tileLength elements (double buffering)
#pragma once

#include "kernel_operator.h"

namespace opkit_kernels {

using namespace AscendC;

constexpr int32_t BUFFER_NUM = 2;

template <typename T>
__aicore__ inline constexpr uint32_t UnitElems() { return 32 / sizeof(T); }
template <typename T>
__aicore__ inline constexpr uint32_t RepeatElems() { return 256 / sizeof(T); }

// This core's share [start, start + length) of `total` items under Note [Elementwise split]: the
// first formerNum cores take formerLength items, the others tailLength, the last core the rest.
__aicore__ inline void CoreRange(uint32_t formerNum, uint32_t formerLength, uint32_t tailLength, uint32_t total,
                                 uint32_t& start, uint32_t& length) {
    const uint32_t idx = GetBlockIdx();
    if (idx < formerNum) {
        start = idx * formerLength;
        length = formerLength;
    } else {
        start = formerNum * formerLength + (idx - formerNum) * tailLength;
        length = tailLength;
    }
    if (idx == GetBlockNum() - 1) length = total - start;  // takes the remainder too
}

// Walks a core's `length` items in tiles: tile(off, count) for each whole tile of at most tileLength
// items (multiples of `unit`), then for the remainder that fills no unit:
//   PAD=true  (910B):      tile(aligned, rem), rem < unit, for a byte-exact DataCopyPad;
//   PAD=false (910A/310P): tile(length - unit, unit), one aligned window ending at the range's end,
//                          which recomputes up to a unit of the core's own items (host: length >= unit).
template <bool PAD, typename F>
__aicore__ inline void ForEachTile(uint32_t length, uint32_t tileLength, uint32_t unit, F&& tile) {
    const uint32_t rem = length % unit;
    const uint32_t aligned = length - rem;
    for (uint32_t off = 0; off < aligned; off += tileLength)
        tile(off, aligned - off < tileLength ? aligned - off : tileLength);
    if (rem == 0) return;
    if constexpr (PAD) {
        tile(aligned, rem);
    } else {
        tile(length - unit, unit);
    }
}

template <typename T, int NIN>
class ElementwiseStream {
public:
    // Compute(out, in, count): `in[i]` holds `count` valid elements (count is a whole number of
    // 32-byte units; lanes past it up to the buffer end are stale and must not reach GM).
    template <typename Tiling>
    __aicore__ inline void Init(TPipe& pipe, GM_ADDR const in[NIN], GM_ADDR out, const Tiling& t) {
        CoreRange(t.formerNum, t.formerLength, t.tailLength, t.totalLength, start_, length_);
        tileLength_ = t.tileLength;
        for (int i = 0; i < NIN; ++i) {
            inGm_[i].SetGlobalBuffer((__gm__ T*)in[i] + start_, length_);
            pipe.InitBuffer(inQueue_[i], BUFFER_NUM, tileLength_ * sizeof(T));
        }
        outGm_.SetGlobalBuffer((__gm__ T*)out + start_, length_);
        pipe.InitBuffer(outQueue_, BUFFER_NUM, tileLength_ * sizeof(T));
    }

    template <bool PAD, typename F>
    __aicore__ inline void Process(F&& compute) {
        ForEachTile<PAD>(length_, tileLength_, UnitElems<T>(), [&](uint32_t off, uint32_t count) {
            if (count % UnitElems<T>() == 0) {
                CopyIn(off, count);
                Compute(count, compute);
                CopyOut(off, count);
            } else {  // the DataCopyPad tail: computed as one whole unit, `count` elements moved
                CopyInPad(off, count);
                Compute(UnitElems<T>(), compute);
                CopyOutPad(off, count);
            }
        });
    }

private:
    __aicore__ inline void CopyIn(uint32_t off, uint32_t count) {
        for (int i = 0; i < NIN; ++i) {
            LocalTensor<T> t = inQueue_[i].template AllocTensor<T>();
            DataCopy(t, inGm_[i][off], count);
            inQueue_[i].EnQue(t);
        }
    }
    __aicore__ inline void CopyInPad(uint32_t off, uint32_t count) {
        DataCopyExtParams copy{1, static_cast<uint32_t>(count * sizeof(T)), 0, 0, 0};
        DataCopyPadExtParams<T> pad{false, 0, 0, T(0)};
        for (int i = 0; i < NIN; ++i) {
            LocalTensor<T> t = inQueue_[i].template AllocTensor<T>();
            DataCopyPad(t, inGm_[i][off], copy, pad);
            inQueue_[i].EnQue(t);
        }
    }
    template <typename F>
    __aicore__ inline void Compute(uint32_t count, F&& compute) {
        LocalTensor<T> in[NIN];
        for (int i = 0; i < NIN; ++i) in[i] = inQueue_[i].template DeQue<T>();
        LocalTensor<T> out = outQueue_.template AllocTensor<T>();
        compute(out, in, count);
        outQueue_.EnQue(out);
        for (int i = 0; i < NIN; ++i) inQueue_[i].FreeTensor(in[i]);
    }
    __aicore__ inline void CopyOut(uint32_t off, uint32_t count) {
        LocalTensor<T> t = outQueue_.template DeQue<T>();
        DataCopy(outGm_[off], t, count);
        outQueue_.FreeTensor(t);
    }
    __aicore__ inline void CopyOutPad(uint32_t off, uint32_t count) {
        LocalTensor<T> t = outQueue_.template DeQue<T>();
        DataCopyPad(outGm_[off], t, DataCopyExtParams{1, static_cast<uint32_t>(count * sizeof(T)), 0, 0, 0});
        outQueue_.FreeTensor(t);
    }

    TQue<QuePosition::VECIN, BUFFER_NUM> inQueue_[NIN];
    TQue<QuePosition::VECOUT, BUFFER_NUM> outQueue_;
    GlobalTensor<T> inGm_[NIN];
    GlobalTensor<T> outGm_;
    uint32_t start_ = 0, length_ = 0, tileLength_ = 0;
};

// Dispatch on the tiling key (Note [Elementwise split]). The DataCopyPad variant is compiled only
// for cores that have the instruction.
template <typename Kernel>
__aicore__ inline void RunElementwise(Kernel& op) {
#if !defined(__CCE_AICORE__) || __CCE_AICORE__ >= 220
    if (TILING_KEY_IS(1)) {
        op.template Process<true>();
        return;
    }
#endif
    if (TILING_KEY_IS(2)) {
        op.template Process<false>();
        return;
    }
    ASSERT(false && "unknown tiling key: expected 1 (DataCopyPad tail) or 2 (aligned window tail)");
}

}  // namespace opkit_kernels
