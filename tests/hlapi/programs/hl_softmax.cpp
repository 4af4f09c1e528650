// hl_softmax: SoftMax on one core: x [M, K] (GM) -> UB -> SoftMax -> y [M, K], rowsum and rowmax
// [M, one block] (GM). The host side computes the tiling as an op's TilingFunc would:
// SoftMaxTilingFunc({M, K}, sizeof(max/sum type), TMP, tiling), and passes it by value.
//
//   types: half (all half), float (all float), mixed (half x/y, float sum/max)
//   form:  shared     sharedTmpBuffer = a TBuf of TMP bytes
//          framework  a filler TBuf leaves exactly TMP bytes of UB free for the API to take
//          *-plain    the overload without sum/max (sum.bin/max.bin are then not written)
//   Unless plain, SimpleSoftMax then recomputes the rows from x and SoftMax's own sum/max into y2.
//
// Usage: hl_softmax {half|float|mixed} {shared|framework|shared-plain|framework-plain} M K TMP DIR
//        (DIR/x.bin -> DIR/y.bin, DIR/sum.bin, DIR/max.bin, DIR/y2.bin)
// Tested by: pytest tests/hlapi/test_softmax.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "tiling/tiling_api.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

template <typename T, typename U>
__global__ __aicore__ void hl_softmax(GM_ADDR x, GM_ADDR y, GM_ADDR sum, GM_ADDR max, GM_ADDR y2, uint32_t m, uint32_t k,
                                      int32_t shared, int32_t plain, uint32_t tmpBytes, SoftMaxTiling tiling) {
    constexpr uint32_t blk = 32 / sizeof(U);
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf, y2Buf, sumBuf, maxBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, m * k * sizeof(T));
    pipe.InitBuffer(yBuf, m * k * sizeof(T));
    pipe.InitBuffer(y2Buf, m * k * sizeof(T));
    pipe.InitBuffer(sumBuf, m * blk * sizeof(U));
    pipe.InitBuffer(maxBuf, m * blk * sizeof(U));
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    if (!shared) pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - tmpBytes);
    GlobalTensor<T> xGm, yGm, y2Gm;
    y2Gm.SetGlobalBuffer((__gm__ T*)y2, m * k);
    GlobalTensor<U> sumGm, maxGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, m * k);
    yGm.SetGlobalBuffer((__gm__ T*)y, m * k);
    sumGm.SetGlobalBuffer((__gm__ U*)sum, m * blk);
    maxGm.SetGlobalBuffer((__gm__ U*)max, m * blk);
    LocalTensor<T> xl = xBuf.Get<T>(), yl = yBuf.Get<T>(), y2l = y2Buf.Get<T>();  // [m, k]
    LocalTensor<U> sl = sumBuf.Get<U>(), ml = maxBuf.Get<U>();  // [m, blk]
    DataCopy(xl, xGm, m * k);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    const SoftMaxShapeInfo info{m, k, m, k};
    LocalTensor<uint8_t> tmp = shared ? tmpBuf.Get<uint8_t>() : LocalTensor<uint8_t>();
    if constexpr (std::is_same<T, U>::value) {
        if (plain) {
            shared ? SoftMax<T>(yl, xl, tmp, tiling, info) : SoftMax<T>(yl, xl, tiling, info);
        } else {
            shared ? SoftMax<T>(yl, sl, ml, xl, tmp, tiling, info) : SoftMax<T>(yl, sl, ml, xl, tiling, info);
        }
    } else {
        shared ? SoftMax<T>(yl, sl, ml, xl, tmp, tiling, info) : SoftMax<T>(yl, sl, ml, xl, tiling, info);
    }
    if (!plain) {
        PipeBarrier<PIPE_V>();
        shared ? SimpleSoftMax<T>(y2l, sl, ml, xl, tmp, tiling, info) : SimpleSoftMax<T>(y2l, sl, ml, xl, tiling, info);
    }
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, m * k);
    if (!plain) {
        DataCopy(sumGm, sl, m * blk);
        DataCopy(maxGm, ml, m * blk);
        DataCopy(y2Gm, y2l, m * k);
    }
}

template <typename T, typename U>
int Run(const char* form, uint32_t m, uint32_t k, uint32_t tmp, const char* dir) {
    const int32_t shared = !std::strncmp(form, "shared", 6), plain = std::strstr(form, "plain") != nullptr;
    const uint32_t blk = 32 / sizeof(U);
    optiling::SoftMaxTiling tiling;
    SoftMaxTilingFunc(ge::Shape({int64_t(m), int64_t(k)}), sizeof(U), tmp, tiling);
    uint8_t* x = (uint8_t*)GmAlloc(m * k * sizeof(T));
    uint8_t* y = (uint8_t*)GmAlloc(m * k * sizeof(T));
    uint8_t* s = (uint8_t*)GmAlloc(m * blk * sizeof(U));
    uint8_t* mx = (uint8_t*)GmAlloc(m * blk * sizeof(U));
    uint8_t* y2 = (uint8_t*)GmAlloc(m * k * sizeof(T));
    ReadBin(dir, "x.bin", x, m * k * sizeof(T));
    ICPU_RUN_KF((hl_softmax<T, U>), 1, x, y, s, mx, y2, m, k, shared, plain, tmp, tiling);
    WriteBin(dir, "y.bin", y, m * k * sizeof(T));
    if (!plain) {
        WriteBin(dir, "sum.bin", s, m * blk * sizeof(U));
        WriteBin(dir, "max.bin", mx, m * blk * sizeof(U));
        WriteBin(dir, "y2.bin", y2, m * k * sizeof(T));
    }
    std::printf("splitM %u rangeM %u tailM %u\n", tiling.splitM, tiling.rangeM, tiling.tailM);
    GmFree(x); GmFree(y); GmFree(s); GmFree(mx); GmFree(y2);
    return 0;
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s {half|float|mixed} FORM M K TMP DIR\n", argv[0]);
        return 2;
    }
    const uint32_t m = uint32_t(std::stoul(argv[3])), k = uint32_t(std::stoul(argv[4])), tmp = uint32_t(std::stoul(argv[5]));
    try {  // the host-side tiling refuses bad shapes by throwing, as an op's TilingFunc would see it
        if (!std::strcmp(argv[1], "half")) return Run<half, half>(argv[2], m, k, tmp, argv[6]);
        if (!std::strcmp(argv[1], "float")) return Run<float, float>(argv[2], m, k, tmp, argv[6]);
        if (!std::strcmp(argv[1], "mixed")) return Run<half, float>(argv[2], m, k, tmp, argv[6]);
    } catch (const opkit::KernelError& e) {
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        return 1;
    }
    return UnknownCase(argv[0], argv[1]);
}
