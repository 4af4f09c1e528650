// sim_model: z = x + y (fp16) in the shape of the Ascend samples' add_custom, with the knobs the
// npu_simulator's performance tests turn: the buffer count per queue and the number of cores.
//
//   x, y, z: [total] halves, total = blockDim x tiles x tileLength (the program refuses other sizes);
//   core b owns [b*perCore, (b+1)*perCore) and streams it in tiles of tileLength halves:
//
//     GM x ─MTE2─> inX ─┐
//                       ├─ V: Add ─> outZ ─MTE3─> GM z
//     GM y ─MTE2─> inY ─┘
//
//   add_single_buffer  BUFFER_NUM = 1: the next tile's load waits for this tile's store to free
//                      the buffer, so MTE2, V and MTE3 take turns
//   add_double_buffer  BUFFER_NUM = 2: tile t+1 loads while tile t is added and stored
//   Both use the same tiles; only the buffer count differs. No tail: tiles are whole 32-byte blocks.
//   add_shared_y       as add_double_buffer, but every core reads y's first perCore halves (the
//                      cores share those lines in the model's L2: who misses depends on who reads first)
//
//   The tiling reaches the kernel as a GM struct, read the way the samples' CopyTiling does.
//
// Usage: sim_model {1|2|s} BLOCK_DIM TOTAL TILE_LENGTH   (OPKIT_MODE=npu_simulator prints the summary)
// Tested by: pytest tests/modes/test_model.py --mode=cpu
#include <cstdlib>
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

namespace {

struct AddTiling {
    uint32_t perCore;     // halves per core
    uint32_t tileLength;  // halves per tile, a multiple of 16 (32 bytes)
};

template <uint32_t BUFFER_NUM, bool SHARED_Y = false>
class KernelAdd {
public:
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR tiling) {
        const AddTiling t = *reinterpret_cast<__gm__ const AddTiling*>(tiling);
        tileLength_ = t.tileLength;
        tiles_ = t.perCore / t.tileLength;
        const uint64_t start = uint64_t(GetBlockIdx()) * t.perCore;
        xGm_.SetGlobalBuffer((__gm__ half*)x + start, t.perCore);
        yGm_.SetGlobalBuffer((__gm__ half*)y + (SHARED_Y ? 0 : start), t.perCore);
        zGm_.SetGlobalBuffer((__gm__ half*)z + start, t.perCore);
        pipe_.InitBuffer(inX_, BUFFER_NUM, tileLength_ * sizeof(half));   // [tileLength] x BUFFER_NUM
        pipe_.InitBuffer(inY_, BUFFER_NUM, tileLength_ * sizeof(half));   // [tileLength] x BUFFER_NUM
        pipe_.InitBuffer(outZ_, BUFFER_NUM, tileLength_ * sizeof(half));  // [tileLength] x BUFFER_NUM
    }
    __aicore__ inline void Process() {
        for (uint32_t i = 0; i < tiles_; ++i) {
            CopyIn(i);
            Compute();
            CopyOut(i);
        }
    }

private:
    __aicore__ inline void CopyIn(uint32_t i) {
        LocalTensor<half> xLocal = inX_.template AllocTensor<half>();
        LocalTensor<half> yLocal = inY_.template AllocTensor<half>();
        DataCopy(xLocal, xGm_[i * tileLength_], tileLength_);
        DataCopy(yLocal, yGm_[i * tileLength_], tileLength_);
        inX_.EnQue(xLocal);
        inY_.EnQue(yLocal);
    }
    __aicore__ inline void Compute() {
        LocalTensor<half> xLocal = inX_.template DeQue<half>();
        LocalTensor<half> yLocal = inY_.template DeQue<half>();
        LocalTensor<half> zLocal = outZ_.template AllocTensor<half>();
        Add(zLocal, xLocal, yLocal, tileLength_);
        outZ_.EnQue(zLocal);
        inX_.FreeTensor(xLocal);
        inY_.FreeTensor(yLocal);
    }
    __aicore__ inline void CopyOut(uint32_t i) {
        LocalTensor<half> zLocal = outZ_.template DeQue<half>();
        DataCopy(zGm_[i * tileLength_], zLocal, tileLength_);
        outZ_.FreeTensor(zLocal);
    }

    TPipe pipe_;
    TQue<QuePosition::VECIN, BUFFER_NUM> inX_, inY_;
    TQue<QuePosition::VECOUT, BUFFER_NUM> outZ_;
    GlobalTensor<half> xGm_, yGm_, zGm_;
    uint32_t tileLength_ = 0, tiles_ = 0;
};

}  // namespace

extern "C" __global__ __aicore__ void add_single_buffer(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR tiling) {
    KernelAdd<1> op;
    op.Init(x, y, z, tiling);
    op.Process();
}

extern "C" __global__ __aicore__ void add_double_buffer(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR tiling) {
    KernelAdd<2> op;
    op.Init(x, y, z, tiling);
    op.Process();
}

extern "C" __global__ __aicore__ void add_shared_y(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR tiling) {
    KernelAdd<2, true> op;
    op.Init(x, y, z, tiling);
    op.Process();
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s {1|2|s} BLOCK_DIM TOTAL TILE_LENGTH\n", argv[0]);
        return 2;
    }
    const bool sharedY = std::strcmp(argv[1], "s") == 0;
    const int buffers = sharedY ? 2 : std::atoi(argv[1]);
    const uint32_t blockDim = uint32_t(std::atoi(argv[2]));
    const uint64_t total = std::strtoull(argv[3], nullptr, 10);
    const uint32_t tile = uint32_t(std::atoi(argv[4]));
    if ((buffers != 1 && buffers != 2) || blockDim == 0 || tile == 0 || tile % 16 != 0 ||
        total % (uint64_t(blockDim) * tile) != 0) {
        std::fprintf(stderr, "%s: need buffers 1|2|s, TOTAL = BLOCK_DIM x tiles x TILE_LENGTH, "
                     "TILE_LENGTH %% 16 == 0\n", argv[0]);
        return 2;
    }
    const size_t bytes = size_t(total) * sizeof(half);
    uint8_t* x = (uint8_t*)GmAlloc(bytes);
    uint8_t* y = (uint8_t*)GmAlloc(bytes);
    uint8_t* z = (uint8_t*)GmAlloc(bytes);
    AddTiling* tiling = (AddTiling*)GmAlloc(sizeof(AddTiling));
    tiling->perCore = uint32_t(total / blockDim);
    tiling->tileLength = tile;
    SetKernelMode(KernelMode::AIV_MODE);
    if (sharedY) ICPU_RUN_KF(add_shared_y, blockDim, x, y, z, (uint8_t*)tiling);
    else if (buffers == 1) ICPU_RUN_KF(add_single_buffer, blockDim, x, y, z, (uint8_t*)tiling);
    else ICPU_RUN_KF(add_double_buffer, blockDim, x, y, z, (uint8_t*)tiling);
    GmFree(x);
    GmFree(y);
    GmFree(z);
    GmFree(tiling);
    return 0;
}
