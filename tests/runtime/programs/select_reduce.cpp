// select_reduce: comparison, selection and reductions on float32 in UB, one core.
//
//   compare_select  a[64], b[64], scalar s:
//                     bits = CompareScalar(a, s, LT)     (64 bits, LSB first, in a uint8 tensor)
//                     z    = Select(bits, a, b, VSEL_TENSOR_TENSOR_MODE)   -> a where a < s, else b
//                   64 floats are exactly one 256-byte repeat.
//   reduce          x[n] (n a multiple of 64, at most 4096):
//                     r[0] = ReduceSum(x)          (count form)
//                     r[8] = ReduceMax(x), r[9] = the index of that max (uint32 bits, calIndex)
//                   r is [16] floats; the slots in between keep UB's prior contents.
//
// Usage: select_reduce compare_select DIR  (DIR/a.bin, DIR/b.bin, DIR/s.bin -> DIR/z.bin)
//        select_reduce reduce DIR          (DIR/x.bin -> DIR/r.bin)
// Tested by: pytest tests/runtime/test_cpu_debug.py -k "compare_select or reduce"
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {
constexpr uint32_t SEL_N = 64;
constexpr uint32_t MAX_REDUCE_N = 4096;
constexpr uint32_t RESULT_N = 16;
}  // namespace

extern "C" __global__ __aicore__ void compare_select(GM_ADDR a, GM_ADDR b, GM_ADDR z, float s) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> aBuf, bBuf, bitsBuf, zBuf;
    pipe.InitBuffer(aBuf, SEL_N * sizeof(float));
    pipe.InitBuffer(bBuf, SEL_N * sizeof(float));
    pipe.InitBuffer(bitsBuf, 32);  // 64 bits used
    pipe.InitBuffer(zBuf, SEL_N * sizeof(float));
    GlobalTensor<float> aGm, bGm, zGm;
    aGm.SetGlobalBuffer((__gm__ float*)a, SEL_N);
    bGm.SetGlobalBuffer((__gm__ float*)b, SEL_N);
    zGm.SetGlobalBuffer((__gm__ float*)z, SEL_N);
    LocalTensor<float> aLocal = aBuf.Get<float>();
    LocalTensor<float> bLocal = bBuf.Get<float>();
    LocalTensor<uint8_t> bits = bitsBuf.Get<uint8_t>();
    LocalTensor<float> zLocal = zBuf.Get<float>();
    DataCopy(aLocal, aGm, SEL_N);
    DataCopy(bLocal, bGm, SEL_N);
    PipeBarrier<PIPE_ALL>();
    CompareScalar(bits, aLocal, s, CMPMODE::LT, SEL_N);
    Select(zLocal, bits, aLocal, bLocal, SELMODE::VSEL_TENSOR_TENSOR_MODE, SEL_N);
    PipeBarrier<PIPE_ALL>();
    DataCopy(zGm, zLocal, SEL_N);
}

extern "C" __global__ __aicore__ void reduce_sum_max(GM_ADDR x, GM_ADDR r, uint32_t n) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, workBuf, rBuf;
    pipe.InitBuffer(xBuf, n * sizeof(float));
    pipe.InitBuffer(workBuf, 256 * sizeof(float));  // >= the ReduceMax(calIndex) formula for n <= 4096
    pipe.InitBuffer(rBuf, RESULT_N * sizeof(float));
    GlobalTensor<float> xGm, rGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, n);
    rGm.SetGlobalBuffer((__gm__ float*)r, RESULT_N);
    LocalTensor<float> xLocal = xBuf.Get<float>();  // [n]
    LocalTensor<float> work = workBuf.Get<float>();
    LocalTensor<float> rLocal = rBuf.Get<float>();  // [16]
    DataCopy(xLocal, xGm, n);
    PipeBarrier<PIPE_ALL>();
    ReduceSum(rLocal, xLocal, work, n);
    ReduceMax(rLocal[8], xLocal, work, n, true);
    PipeBarrier<PIPE_ALL>();
    DataCopy(rGm, rLocal, RESULT_N);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s {compare_select|reduce} DIR\n", argv[0]);
        return 2;
    }
    const char* dir = argv[2];
    if (!std::strcmp(argv[1], "compare_select")) {
        const size_t bytes = SEL_N * sizeof(float);
        uint8_t* a = (uint8_t*)GmAlloc(bytes);
        uint8_t* b = (uint8_t*)GmAlloc(bytes);
        uint8_t* z = (uint8_t*)GmAlloc(bytes);
        float s = 0.0f;
        ReadBin(dir, "a.bin", a, bytes);
        ReadBin(dir, "b.bin", b, bytes);
        ReadBin(dir, "s.bin", &s, sizeof s);
        ICPU_RUN_KF(compare_select, 1, a, b, z, s);
        WriteBin(dir, "z.bin", z, bytes);
        GmFree(a);
        GmFree(b);
        GmFree(z);
        return 0;
    }
    if (!std::strcmp(argv[1], "reduce")) {
        const uint32_t n = static_cast<uint32_t>(BinSize(dir, "x.bin") / sizeof(float));
        if (n == 0 || n % 64 != 0 || n > MAX_REDUCE_N) {
            std::fprintf(stderr, "%s: x.bin must hold a multiple of 64 floats, at most %u\n", argv[0], MAX_REDUCE_N);
            return 2;
        }
        uint8_t* x = (uint8_t*)GmAlloc(n * sizeof(float));
        uint8_t* r = (uint8_t*)GmAlloc(RESULT_N * sizeof(float));
        ReadBin(dir, "x.bin", x, n * sizeof(float));
        ICPU_RUN_KF(reduce_sum_max, 1, x, r, n);
        WriteBin(dir, "r.bin", r, RESULT_N * sizeof(float));
        GmFree(x);
        GmFree(r);
        return 0;
    }
    return UnknownCase(argv[0], argv[1]);
}
