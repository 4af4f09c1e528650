// cast_modes: Cast float32 -> float16 in all six RoundModes and float32 -> int32 in the five
// integer modes, plus two casts/ops the 910B vector unit rejects.
//
//   cast        x[n] float32 (n a multiple of 64) -> UB, then per mode m:
//                 h[m][n] = Cast<half>(x, m)     m = RINT, FLOOR, CEIL, ROUND, TRUNC, ODD
//                 i[m][n] = Cast<int32_t>(x, m)  m = RINT, FLOOR, CEIL, ROUND, TRUNC
//               one core, one tile (n <= 1024), every result copied back to GM.
//   bf16_add    Add on bfloat16 tensors (910B has no bf16 Add)          -> opkit error
//   cast_none   Cast float32 -> int32 with CAST_NONE (not allowed)       -> opkit error
//
// Usage: cast_modes cast DIR      (reads DIR/x.bin; writes DIR/f16.bin [6][n], DIR/i32.bin [5][n])
//        cast_modes {bf16_add|cast_none}
// Tested by: pytest tests/runtime/test_cpu_debug.py -k cast
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {
constexpr RoundMode HALF_MODES[] = {RoundMode::CAST_RINT,  RoundMode::CAST_FLOOR, RoundMode::CAST_CEIL,
                                    RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC, RoundMode::CAST_ODD};
constexpr RoundMode INT_MODES[] = {RoundMode::CAST_RINT, RoundMode::CAST_FLOOR, RoundMode::CAST_CEIL,
                                   RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC};
constexpr uint32_t MAX_N = 1024;
}  // namespace

extern "C" __global__ __aicore__ void cast_all_modes(GM_ADDR x, GM_ADDR h, GM_ADDR i, uint32_t n) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, hBuf, iBuf;
    pipe.InitBuffer(xBuf, n * sizeof(float));
    pipe.InitBuffer(hBuf, n * sizeof(half));
    pipe.InitBuffer(iBuf, n * sizeof(int32_t));
    GlobalTensor<float> xGm;
    GlobalTensor<half> hGm;
    GlobalTensor<int32_t> iGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, n);
    hGm.SetGlobalBuffer((__gm__ half*)h, 6 * n);
    iGm.SetGlobalBuffer((__gm__ int32_t*)i, 5 * n);
    LocalTensor<float> xLocal = xBuf.Get<float>();    // [n]
    LocalTensor<half> hLocal = hBuf.Get<half>();      // [n]
    LocalTensor<int32_t> iLocal = iBuf.Get<int32_t>();  // [n]
    DataCopy(xLocal, xGm, n);
    PipeBarrier<PIPE_ALL>();
    for (uint32_t m = 0; m < 6; ++m) {
        Cast(hLocal, xLocal, HALF_MODES[m], n);
        PipeBarrier<PIPE_ALL>();
        DataCopy(hGm[m * n], hLocal, n);
        PipeBarrier<PIPE_ALL>();
    }
    for (uint32_t m = 0; m < 5; ++m) {
        Cast(iLocal, xLocal, INT_MODES[m], n);
        PipeBarrier<PIPE_ALL>();
        DataCopy(iGm[m * n], iLocal, n);
        PipeBarrier<PIPE_ALL>();
    }
}

extern "C" __global__ __aicore__ void bf16_add(GM_ADDR) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 3 * 128 * sizeof(bfloat16_t));
    LocalTensor<bfloat16_t> all = buf.Get<bfloat16_t>();
    Duplicate(all, bfloat16_t(1.0f), 3 * 128);
    Add(all[256], all[0], all[128], 128);
}

extern "C" __global__ __aicore__ void cast_none_to_int32(GM_ADDR) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> fBuf, iBuf;
    pipe.InitBuffer(fBuf, 64 * sizeof(float));
    pipe.InitBuffer(iBuf, 64 * sizeof(int32_t));
    LocalTensor<float> f = fBuf.Get<float>();
    LocalTensor<int32_t> i = iBuf.Get<int32_t>();
    Duplicate(f, 2.5f, 64);
    Cast(i, f, RoundMode::CAST_NONE, 64);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc < 2) return UnknownCase(argv[0], "");
    if (!std::strcmp(argv[1], "cast") && argc == 3) {
        const uint32_t n = static_cast<uint32_t>(BinSize(argv[2], "x.bin") / sizeof(float));
        if (n == 0 || n % 64 != 0 || n > MAX_N) {
            std::fprintf(stderr, "%s: x.bin must hold a multiple of 64 floats, at most %u\n", argv[0], MAX_N);
            return 2;
        }
        uint8_t* x = (uint8_t*)GmAlloc(n * sizeof(float));
        uint8_t* h = (uint8_t*)GmAlloc(6 * n * sizeof(half));
        uint8_t* i = (uint8_t*)GmAlloc(5 * n * sizeof(int32_t));
        ReadBin(argv[2], "x.bin", x, n * sizeof(float));
        ICPU_RUN_KF(cast_all_modes, 1, x, h, i, n);
        WriteBin(argv[2], "f16.bin", h, 6 * n * sizeof(half));
        WriteBin(argv[2], "i32.bin", i, 5 * n * sizeof(int32_t));
        GmFree(x);
        GmFree(h);
        GmFree(i);
        return 0;
    }
    uint8_t* gm = (uint8_t*)GmAlloc(32);
    if (!std::strcmp(argv[1], "bf16_add")) ICPU_RUN_KF(bf16_add, 1, gm);
    else if (!std::strcmp(argv[1], "cast_none")) ICPU_RUN_KF(cast_none_to_int32, 1, gm);
    else return UnknownCase(argv[0], argv[1]);
    GmFree(gm);
    std::printf("%s: ok\n", argv[1]);
    return 0;
}
