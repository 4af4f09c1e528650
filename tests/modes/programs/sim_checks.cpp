// sim_checks: one kernel per npu_simulator finding, each breaking one hardware rule that the CPU
// would forgive, plus a correct double-buffered control. z = x + y on 4 cores, fp16.
//
//   x, y, z: [4 cores x 2 tiles x 6144] halves; core b owns elements [b*12288, (b+1)*12288) and
//   streams them as 2 tiles of 6144 halves (12 KiB, 48 repeats of 128 lanes) through
//   double-buffered queues:
//
//     GM x ─DataCopy─> inX ─┐
//                           ├─ Add ─> outZ ─DataCopy─> GM z      (2 buffers per queue)
//     GM y ─DataCopy─> inY ─┘
//
//   column_blocks (a control) views z as [64 rows, 4 x 96 halves]: core b writes column block b of
//   every row with one strided DataCopyPad; the four writes' spans interleave but share no byte.
//
//   Only core 2 (BAD_CORE) breaks its kernel's rule; cores 0, 1 and 3 behave, so the finding must
//   name core 2. The offending line carries a `// CHECK: <kind>` marker that the test searches for.
//
//   kernel          rule broken on core 2                             the NPU                 the CPU
//   well_behaved    none (control)                                    -                       -
//   round_down      DataCopy of 6140 halves = 12280 B                 copies 12256 B          same, silently
//   repeat_overflow Add(mask 128, repeatTimes 300)                    runs 300 & 255 = 44     same, silently
//   illegal_mask    Add(continuous mask 0, repeatTimes 1)             does nothing            same, silently
//   held_tensor     the last tile's z buffer is never FreeTensor'd    flags stay set          nothing to see
//   gm_overlap      core 2 writes z from half a tile too early,       last writer wins        same
//                   over the second half of core 1's last tile
//   fatal           DeQue on the empty outZ queue                     waits forever           kernel error
//
// Usage: sim_checks CASE          (run with OPKIT_MODE=npu_simulator to get the model's summary)
// Tested by: pytest tests/modes/test_checks.py --mode=cpu
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

namespace {

constexpr uint32_t BLOCK_DIM = 4;
constexpr int32_t BAD_CORE = 2;
constexpr uint32_t TILE = 6144;  // halves per tile: 12 KiB = 48 repeats of 128 lanes
constexpr uint32_t TILES = 2;
constexpr uint32_t PER_CORE = TILE * TILES;
constexpr uint32_t BUFFER_NUM = 2;

enum class Case { WELL_BEHAVED, ROUND_DOWN, REPEAT_OVERFLOW, ILLEGAL_MASK, HELD_TENSOR, GM_OVERLAP, FATAL };

template <Case C>
class AddTiles {
public:
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
        bad_ = GetBlockIdx() == BAD_CORE;
        const uint64_t start = uint64_t(GetBlockIdx()) * PER_CORE;
        // gm_overlap: core 2's z window starts half a tile early, on the second half of core 1's
        // last tile (not at the same address, so the two writes sort in a fixed order).
        const uint64_t zStart = (C == Case::GM_OVERLAP && bad_) ? start - TILE / 2 : start;
        xGm_.SetGlobalBuffer((__gm__ half*)x + start, PER_CORE);
        yGm_.SetGlobalBuffer((__gm__ half*)y + start, PER_CORE);
        zGm_.SetGlobalBuffer((__gm__ half*)z + zStart, PER_CORE);
        pipe_.InitBuffer(inX_, BUFFER_NUM, TILE * sizeof(half));   // [TILE] x 2
        pipe_.InitBuffer(inY_, BUFFER_NUM, TILE * sizeof(half));   // [TILE] x 2
        pipe_.InitBuffer(outZ_, BUFFER_NUM, TILE * sizeof(half));  // [TILE] x 2
    }
    __aicore__ inline void Process() {
        for (uint32_t t = 0; t < TILES; ++t) {
            CopyIn(t);
            Compute();
            CopyOut(t);
        }
    }

private:
    __aicore__ inline void CopyIn(uint32_t t) {
        LocalTensor<half> xLocal = inX_.AllocTensor<half>();
        LocalTensor<half> yLocal = inY_.AllocTensor<half>();
        if (C == Case::ROUND_DOWN && bad_) {
            DataCopy(xLocal, xGm_[t * TILE], TILE - 4);  // CHECK: datacopy-round-down
        } else {
            DataCopy(xLocal, xGm_[t * TILE], TILE);
        }
        DataCopy(yLocal, yGm_[t * TILE], TILE);
        inX_.EnQue(xLocal);
        inY_.EnQue(yLocal);
    }
    __aicore__ inline void Compute() {
        LocalTensor<half> xLocal = inX_.DeQue<half>();
        LocalTensor<half> yLocal = inY_.DeQue<half>();
        if (C == Case::FATAL && bad_) {
            LocalTensor<half> none = outZ_.DeQue<half>();  // CHECK: fatal
            outZ_.FreeTensor(none);
        }
        LocalTensor<half> zLocal = outZ_.AllocTensor<half>();  // CHECK: held-tensor (never freed on core 2)
        BinaryRepeatParams rep;  // contiguous: block stride 1, repeat stride 8 blocks
        if (C == Case::REPEAT_OVERFLOW && bad_) {
            Add(zLocal, xLocal, yLocal, 128, 300, rep);  // CHECK: repeat-overflow
        } else if (C == Case::ILLEGAL_MASK && bad_) {
            const uint64_t noLanes = 0;  // a literal 0 would also match the mask[] overload
            Add(zLocal, xLocal, yLocal, noLanes, 1, rep);  // CHECK: illegal-mask
        } else {
            Add(zLocal, xLocal, yLocal, TILE);
        }
        outZ_.EnQue(zLocal);
        inX_.FreeTensor(xLocal);
        inY_.FreeTensor(yLocal);
    }
    __aicore__ inline void CopyOut(uint32_t t) {
        LocalTensor<half> zLocal = outZ_.DeQue<half>();
        if (C == Case::GM_OVERLAP && bad_) {
            DataCopy(zGm_[t * TILE], zLocal, TILE);  // CHECK: gm-overlap
        } else {
            DataCopy(zGm_[t * TILE], zLocal, TILE);
        }
        if (C == Case::HELD_TENSOR && bad_ && t == TILES - 1) return;  // the last zLocal stays allocated
        outZ_.FreeTensor(zLocal);
    }

    TPipe pipe_;
    TQue<QuePosition::VECIN, BUFFER_NUM> inX_, inY_;
    TQue<QuePosition::VECOUT, BUFFER_NUM> outZ_;
    GlobalTensor<half> xGm_, yGm_, zGm_;
    bool bad_ = false;
};

template <Case C>
__aicore__ inline void Run(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    AddTiles<C> op;
    op.Init(x, y, z);
    op.Process();
}

}  // namespace

extern "C" __global__ __aicore__ void well_behaved(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::WELL_BEHAVED>(x, y, z);
}
extern "C" __global__ __aicore__ void round_down(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::ROUND_DOWN>(x, y, z);
}
extern "C" __global__ __aicore__ void repeat_overflow(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::REPEAT_OVERFLOW>(x, y, z);
}
extern "C" __global__ __aicore__ void illegal_mask(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::ILLEGAL_MASK>(x, y, z);
}
extern "C" __global__ __aicore__ void held_tensor(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::HELD_TENSOR>(x, y, z);
}
extern "C" __global__ __aicore__ void gm_overlap(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::GM_OVERLAP>(x, y, z);
}
extern "C" __global__ __aicore__ void fatal(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    Run<Case::FATAL>(x, y, z);
}

extern "C" __global__ __aicore__ void column_blocks(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    constexpr uint32_t ROWS = 64, COLS = 96;  // per core: [64, 96] halves, 192-byte rows
    (void)x, (void)y;
    TPipe pipe;
    TQue<QuePosition::VECOUT, 1> outZ;
    pipe.InitBuffer(outZ, 1, ROWS * COLS * sizeof(half));
    LocalTensor<half> zLocal = outZ.AllocTensor<half>();
    Duplicate(zLocal, half(1.0f), ROWS * COLS);
    outZ.EnQue(zLocal);
    zLocal = outZ.DeQue<half>();
    GlobalTensor<half> zGm;
    zGm.SetGlobalBuffer((__gm__ half*)z, ROWS * COLS * BLOCK_DIM);
    DataCopyPad(zGm[GetBlockIdx() * COLS], zLocal,
                DataCopyExtParams(ROWS, COLS * sizeof(half), 0, (BLOCK_DIM - 1) * COLS * sizeof(half), 0));
    outZ.FreeTensor(zLocal);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 2;
    }
    const size_t bytes = size_t(BLOCK_DIM) * PER_CORE * sizeof(half);
    uint8_t* x = (uint8_t*)GmAlloc(bytes);
    uint8_t* y = (uint8_t*)GmAlloc(bytes);
    uint8_t* z = (uint8_t*)GmAlloc(bytes);
    const std::string c = argv[1];
    SetKernelMode(KernelMode::AIV_MODE);
    if (c == "well_behaved") ICPU_RUN_KF(well_behaved, BLOCK_DIM, x, y, z);
    else if (c == "round_down") ICPU_RUN_KF(round_down, BLOCK_DIM, x, y, z);
    else if (c == "repeat_overflow") ICPU_RUN_KF(repeat_overflow, BLOCK_DIM, x, y, z);
    else if (c == "illegal_mask") ICPU_RUN_KF(illegal_mask, BLOCK_DIM, x, y, z);
    else if (c == "held_tensor") ICPU_RUN_KF(held_tensor, BLOCK_DIM, x, y, z);
    else if (c == "gm_overlap") ICPU_RUN_KF(gm_overlap, BLOCK_DIM, x, y, z);
    else if (c == "fatal") ICPU_RUN_KF(fatal, BLOCK_DIM, x, y, z);
    else if (c == "column_blocks") ICPU_RUN_KF(column_blocks, BLOCK_DIM, x, y, z);
    else {
        std::fprintf(stderr, "%s: unknown case '%s'\n", argv[0], argv[1]);
        return 2;
    }
    GmFree(x);
    GmFree(y);
    GmFree(z);
    return 0;
}
