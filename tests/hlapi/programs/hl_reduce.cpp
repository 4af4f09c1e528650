// hl_reduce: Sum and Mean over the last axis on one core: x [OUTTER, inner] (inner = N padded to 32
// bytes; GM) -> UB -> Sum/Mean -> y [OUTTER, padded to a block] (GM). TMP: the sharedTmpBuffer's bytes,
// or (framework) the UB left free for the API to take.
//
// Usage: hl_reduce {sum|mean} {half|float} {shared|framework} OUTTER N TMP DIR   (DIR/x.bin -> DIR/y.bin)
// Tested by: pytest tests/hlapi/test_reduce.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

template <typename T>
__global__ __aicore__ void hl_reduce(GM_ADDR x, GM_ADDR y, int32_t mean, uint32_t outter, uint32_t inner, uint32_t n,
                                     int32_t shared, uint32_t tmpBytes) {
    const uint32_t outPad = (outter * sizeof(T) + 31) / 32 * 32 / sizeof(T);
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, outter * inner * sizeof(T));
    pipe.InitBuffer(yBuf, outPad * sizeof(T));
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    if (!shared) pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - tmpBytes);
    GlobalTensor<T> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, outter * inner);
    yGm.SetGlobalBuffer((__gm__ T*)y, outPad);
    LocalTensor<T> xl = xBuf.Get<T>(), yl = yBuf.Get<T>();  // [outter, inner], [outPad]
    DataCopy(xl, xGm, outter * inner);
    Duplicate(yl, T(0), outPad);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    PipeBarrier<PIPE_V>();
    if (mean) {
        const MeanParams p{outter, inner, n};
        shared ? Mean(yl, xl, tmpBuf.Get<uint8_t>(), p) : Mean(yl, xl, p);
    } else {
        const SumParams p{outter, inner, n};
        shared ? Sum(yl, xl, tmpBuf.Get<uint8_t>(), p) : Sum(yl, xl, p);
    }
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, outPad);
}

template <typename T>
int Run(bool mean, const char* form, uint32_t outter, uint32_t n, uint32_t tmp, const char* dir) {
    const uint32_t inner = (n * sizeof(T) + 31) / 32 * 32 / sizeof(T), outPad = (outter * sizeof(T) + 31) / 32 * 32 / sizeof(T);
    uint8_t* x = (uint8_t*)GmAlloc(outter * inner * sizeof(T));
    uint8_t* y = (uint8_t*)GmAlloc(outPad * sizeof(T));
    ReadBin(dir, "x.bin", x, outter * inner * sizeof(T));
    ICPU_RUN_KF(hl_reduce<T>, 1, x, y, int32_t(mean), outter, inner, n, int32_t(!std::strcmp(form, "shared")), tmp);
    WriteBin(dir, "y.bin", y, outter * sizeof(T));
    GmFree(x);
    GmFree(y);
    return 0;
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 8) {
        std::fprintf(stderr, "usage: %s {sum|mean} {half|float} {shared|framework} OUTTER N TMP DIR\n", argv[0]);
        return 2;
    }
    const bool mean = !std::strcmp(argv[1], "mean");
    if (!mean && std::strcmp(argv[1], "sum") != 0) return UnknownCase(argv[0], argv[1]);
    const uint32_t outter = uint32_t(std::stoul(argv[4])), n = uint32_t(std::stoul(argv[5])), tmp = uint32_t(std::stoul(argv[6]));
    if (!std::strcmp(argv[2], "half")) return Run<half>(mean, argv[3], outter, n, tmp, argv[7]);
    if (!std::strcmp(argv[2], "float")) return Run<float>(mean, argv[3], outter, n, tmp, argv[7]);
    return UnknownCase(argv[0], argv[2]);
}
