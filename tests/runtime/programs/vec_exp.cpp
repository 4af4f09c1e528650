// vec_exp: the basic API's Exp on one core, float32 or float16, x[n] -> y[n].
//
// Usage: vec_exp {f16|f32} DIR   (DIR/x.bin, whole 32-byte blocks, at most 16384 elements -> DIR/y.bin,
//        and DIR/z.bin: the same computed in place)
// Tested by: pytest tests/runtime/test_vec_exp.py
#include <cstring>

#include "host_io.h"
#include "tikicpulib.h"

using namespace AscendC;

template <typename T>
__aicore__ inline void ExpKernel(GM_ADDR x, GM_ADDR y, uint32_t n) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf;
    pipe.InitBuffer(xBuf, n * sizeof(T));
    pipe.InitBuffer(yBuf, n * sizeof(T));
    GlobalTensor<T> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, n);
    yGm.SetGlobalBuffer((__gm__ T*)y, n);
    LocalTensor<T> xL = xBuf.Get<T>(), yL = yBuf.Get<T>();
    DataCopy(xL, xGm, n);
    PipeBarrier<PIPE_ALL>();
    Exp(yL, xL, n);
    Exp(xL, xL, n);  // in place too: each element reads only itself
    PipeBarrier<PIPE_ALL>();
    DataCopy(yGm, yL, n);
    DataCopy(xGm, xL, n);
}

extern "C" __global__ __aicore__ void exp_f32(GM_ADDR x, GM_ADDR y, uint32_t n) { ExpKernel<float>(x, y, n); }
extern "C" __global__ __aicore__ void exp_f16(GM_ADDR x, GM_ADDR y, uint32_t n) { ExpKernel<half>(x, y, n); }

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);
    if (argc != 3 || (std::strcmp(argv[1], "f16") && std::strcmp(argv[1], "f32"))) {
        std::fprintf(stderr, "usage: %s {f16|f32} DIR\n", argv[0]);
        return 2;
    }
    const bool f32 = !std::strcmp(argv[1], "f32");
    const size_t size = f32 ? 4 : 2;
    const char* dir = argv[2];
    const size_t bytes = BinSize(dir, "x.bin");
    const uint32_t n = uint32_t(bytes / size);
    if (n == 0 || bytes % 32 != 0 || n > 16384) {
        std::fprintf(stderr, "%s: x.bin must be whole 32-byte blocks, at most 16384 elements\n", argv[0]);
        return 2;
    }
    uint8_t* x = (uint8_t*)GmAlloc(bytes);
    uint8_t* y = (uint8_t*)GmAlloc(bytes);
    ReadBin(dir, "x.bin", x, bytes);
    if (f32) ICPU_RUN_KF(exp_f32, 1, x, y, n);
    else ICPU_RUN_KF(exp_f16, 1, x, y, n);
    WriteBin(dir, "y.bin", y, bytes);  // Exp(x)
    WriteBin(dir, "z.bin", x, bytes);  // Exp(x) computed in place
    GmFree(x);
    GmFree(y);
    return 0;
}
