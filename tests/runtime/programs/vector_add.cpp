// vector_add: z = x + y on 8 cores, fp16 or fp32, as a CANN kernel-launch CPU-debug program.
//
//   x, y, z: [8 cores x 2048] elements; core b owns elements [b*2048, (b+1)*2048).
//   Each core walks its slice in 16 tiles of 128 elements through double-buffered queues:
//
//     GM x ─DataCopy─> inX ─┐
//                           ├─ Add ─> outZ ─DataCopy─> GM z      (2 buffers per queue,
//     GM y ─DataCopy─> inY ─┘                                    tile t+1 loads while t computes)
//
//   128 elements are 256 B (fp16) or 512 B (fp32): whole 32-byte blocks, so no tail handling.
//
// Usage: vector_add {fp16|fp32} DIR   (reads DIR/x.bin, DIR/y.bin; writes DIR/z.bin)
// Tested by: pytest tests/runtime/test_cpu_debug.py -k vector_add
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

namespace {

constexpr uint32_t BLOCK_DIM = 8;
constexpr uint32_t PER_CORE = 2048;
constexpr uint32_t BUFFER_NUM = 2;
constexpr uint32_t TILE_COUNT = 16;
constexpr uint32_t TILE = PER_CORE / TILE_COUNT;  // 128 elements

template <typename T>
class VectorAdd {
public:
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
        const uint64_t start = uint64_t(AscendC::GetBlockIdx()) * PER_CORE;
        xGm_.SetGlobalBuffer((__gm__ T*)x + start, PER_CORE);
        yGm_.SetGlobalBuffer((__gm__ T*)y + start, PER_CORE);
        zGm_.SetGlobalBuffer((__gm__ T*)z + start, PER_CORE);
        pipe_.InitBuffer(inX_, BUFFER_NUM, TILE * sizeof(T));
        pipe_.InitBuffer(inY_, BUFFER_NUM, TILE * sizeof(T));
        pipe_.InitBuffer(outZ_, BUFFER_NUM, TILE * sizeof(T));
    }
    __aicore__ inline void Process() {
        for (uint32_t t = 0; t < TILE_COUNT; ++t) {
            CopyIn(t);
            Compute();
            CopyOut(t);
        }
    }

private:
    __aicore__ inline void CopyIn(uint32_t t) {
        AscendC::LocalTensor<T> xLocal = inX_.template AllocTensor<T>();  // [TILE]
        AscendC::LocalTensor<T> yLocal = inY_.template AllocTensor<T>();  // [TILE]
        AscendC::DataCopy(xLocal, xGm_[t * TILE], TILE);
        AscendC::DataCopy(yLocal, yGm_[t * TILE], TILE);
        inX_.EnQue(xLocal);
        inY_.EnQue(yLocal);
    }
    __aicore__ inline void Compute() {
        AscendC::LocalTensor<T> xLocal = inX_.template DeQue<T>();
        AscendC::LocalTensor<T> yLocal = inY_.template DeQue<T>();
        AscendC::LocalTensor<T> zLocal = outZ_.template AllocTensor<T>();
        AscendC::Add(zLocal, xLocal, yLocal, TILE);
        outZ_.EnQue(zLocal);
        inX_.FreeTensor(xLocal);
        inY_.FreeTensor(yLocal);
    }
    __aicore__ inline void CopyOut(uint32_t t) {
        AscendC::LocalTensor<T> zLocal = outZ_.template DeQue<T>();
        AscendC::DataCopy(zGm_[t * TILE], zLocal, TILE);
        outZ_.FreeTensor(zLocal);
    }

    AscendC::TPipe pipe_;
    AscendC::TQue<AscendC::QuePosition::VECIN, BUFFER_NUM> inX_, inY_;
    AscendC::TQue<AscendC::QuePosition::VECOUT, BUFFER_NUM> outZ_;
    AscendC::GlobalTensor<T> xGm_, yGm_, zGm_;
};

}  // namespace

extern "C" __global__ __aicore__ void add_fp16(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    VectorAdd<half> op;
    op.Init(x, y, z);
    op.Process();
}

extern "C" __global__ __aicore__ void add_fp32(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    VectorAdd<float> op;
    op.Init(x, y, z);
    op.Process();
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s {fp16|fp32} DIR\n", argv[0]);
        return 2;
    }
    const bool fp16 = std::strcmp(argv[1], "fp16") == 0;
    if (!fp16 && std::strcmp(argv[1], "fp32") != 0) return UnknownCase(argv[0], argv[1]);
    const size_t bytes = size_t(BLOCK_DIM) * PER_CORE * (fp16 ? sizeof(half) : sizeof(float));
    uint8_t* x = (uint8_t*)AscendC::GmAlloc(bytes);
    uint8_t* y = (uint8_t*)AscendC::GmAlloc(bytes);
    uint8_t* z = (uint8_t*)AscendC::GmAlloc(bytes);
    ReadBin(argv[2], "x.bin", x, bytes);
    ReadBin(argv[2], "y.bin", y, bytes);
    AscendC::SetKernelMode(KernelMode::AIV_MODE);
    if (fp16) ICPU_RUN_KF(add_fp16, BLOCK_DIM, x, y, z);
    else ICPU_RUN_KF(add_fp32, BLOCK_DIM, x, y, z);
    WriteBin(argv[2], "z.bin", z, bytes);
    AscendC::GmFree(x);
    AscendC::GmFree(y);
    AscendC::GmFree(z);
    return 0;
}
