// transdata: TransDataTo5HD on one core, against numpy in tests/runtime/test_transdata.py. The SoC
// comes from OPKIT_SOC.
//
//   transdata CASE DIR     x.bin (4096 bytes) -> y.bin (4096 bytes; y starts as 0xEE bytes)
//     b16          one 16 x 16 half transpose (the docs' contiguous case: lists 16 elements apart)
//     nchw         NCHW -> NC1HWC0 for one image of C = 16, H * W = 64 half: srcList entry c at plane c,
//                  dstList 16 elements apart, repeat 4, srcRepStride 1, dstRepStride 16
//     b32          float: 16 rows of 8 -> 8 rows of 16 (dstList pairs, as CANN's CumSum sets them)
//     b8_low / b8_high   int8: srcHighHalf and dstHighHalf both false / both true
//     one_repeat   b16 with repeatTimes 1 and strides 2: the one repeat starts 2 blocks into the lists
//     tensor_list  b16 through the LocalTensor-array form
//     addr_tensor  b16 through the LocalTensor<uint64_t> address-list form
//     broken_0     an unaligned list entry; broken_1  a float transpose (Ascend910A refuses it)
//
// Usage: transdata CASE DIR
// Tested by: pytest tests/runtime/test_transdata.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

extern "C" __global__ __aicore__ void transdata(GM_ADDR x, GM_ADDR y, int32_t which) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf, aBuf;
    pipe.InitBuffer(xBuf, 4096);
    pipe.InitBuffer(yBuf, 4096);
    pipe.InitBuffer(aBuf, 256);
    GlobalTensor<uint8_t> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ uint8_t*)x, 4096);
    yGm.SetGlobalBuffer((__gm__ uint8_t*)y, 4096);
    LocalTensor<uint8_t> xl = xBuf.Get<uint8_t>(), yl = yBuf.Get<uint8_t>();
    DataCopy(xl, xGm, 4096);
    DataCopy(yl, yGm, 4096);
    PipeBarrier<PIPE_ALL>();
    LocalTensor<half> xh = xl.ReinterpretCast<half>(), yh = yl.ReinterpretCast<half>();
    uint64_t d[16], s[16];
    if (which == 0 || which == 5) {  // b16, one_repeat
        for (int i = 0; i < 16; ++i) d[i] = yh[16 * i].GetPhyAddr(), s[i] = xh[16 * i].GetPhyAddr();
        TransDataTo5HDParams p(false, false, 1, which == 5 ? 2 : 0, which == 5 ? 2 : 0);
        TransDataTo5HD<half>(d, s, p);
    } else if (which == 1) {  // nchw: x is [C=16][HW=64] half, y [HW=64][C0=16]
        for (int i = 0; i < 16; ++i) s[i] = xh[64 * i].GetPhyAddr(), d[i] = yh[16 * i].GetPhyAddr();
        TransDataTo5HD<half>(d, s, TransDataTo5HDParams(false, false, 4, 16, 1));
    } else if (which == 2) {  // b32: x rows of 8 floats (16 rows, 32 bytes apart) -> y 8 rows of 16 floats
        LocalTensor<float> xf = xl.ReinterpretCast<float>(), yf = yl.ReinterpretCast<float>();
        for (int i = 0; i < 16; ++i) s[i] = xf[8 * i].GetPhyAddr();
        for (int j = 0; j < 8; ++j) d[2 * j] = yf[16 * j].GetPhyAddr(), d[2 * j + 1] = yf[16 * j + 8].GetPhyAddr();
        TransDataTo5HD<float>(d, s, TransDataTo5HDParams(false, false, 1, 0, 0));
    } else if (which == 3 || which == 4) {  // int8: 16 blocks of 32 -> 16 half-blocks
        LocalTensor<int8_t> xb = xl.ReinterpretCast<int8_t>(), yb = yl.ReinterpretCast<int8_t>();
        for (int i = 0; i < 16; ++i) s[i] = xb[32 * i].GetPhyAddr(), d[i] = yb[32 * i].GetPhyAddr();
        TransDataTo5HD<int8_t>(d, s, TransDataTo5HDParams(which == 4, which == 4, 1, 0, 0));
    } else if (which == 6) {  // tensor_list
        LocalTensor<half> dl[16], sl[16];
        for (int i = 0; i < 16; ++i) dl[i] = yh[16 * i], sl[i] = xh[16 * i];
        TransDataTo5HD<half>(dl, sl, TransDataTo5HDParams(false, false, 1, 0, 0));
    } else if (which == 7) {  // addr_tensor
        LocalTensor<uint64_t> a = aBuf.Get<uint64_t>();
        for (int i = 0; i < 16; ++i) a.SetValue(i, yh[16 * i].GetPhyAddr()), a.SetValue(16 + i, xh[16 * i].GetPhyAddr());
        PipeBarrier<PIPE_ALL>();
        TransDataTo5HD<half>(a, a[16], TransDataTo5HDParams(false, false, 1, 0, 0));
    } else if (which == 8) {  // broken_0
        for (int i = 0; i < 16; ++i) d[i] = yh[16 * i].GetPhyAddr(), s[i] = xh[16 * i].GetPhyAddr();
        s[5] += 2;
        TransDataTo5HD<half>(d, s, TransDataTo5HDParams(false, false, 1, 0, 0));
    } else if (which == 9) {  // broken_1
        LocalTensor<float> xf = xl.ReinterpretCast<float>(), yf = yl.ReinterpretCast<float>();
        for (int i = 0; i < 16; ++i) d[i] = yf[8 * i].GetPhyAddr(), s[i] = xf[8 * i].GetPhyAddr();
        TransDataTo5HD<float>(d, s, TransDataTo5HDParams(false, false, 1, 0, 0));
    }
    PipeBarrier<PIPE_ALL>();
    DataCopy(yGm, yl, 4096);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);
    if (argc != 3) {
        std::fprintf(stderr, "usage: transdata CASE DIR\n");
        return 2;
    }
    const std::string c = argv[1];
    const char* names[] = {"b16", "nchw", "b32", "b8_low", "b8_high", "one_repeat", "tensor_list", "addr_tensor",
                           "broken_0", "broken_1"};
    int which = -1;
    for (int i = 0; i < 10; ++i)
        if (c == names[i]) which = i;
    if (which < 0) {
        std::fprintf(stderr, "transdata: unknown case %s\n", argv[1]);
        return 2;
    }
    auto* x = static_cast<uint8_t*>(GmAlloc(4096));
    auto* y = static_cast<uint8_t*>(GmAlloc(4096));
    ReadBin(argv[2], "x.bin", x, 4096);
    std::memset(y, 0xEE, 4096);
    ICPU_RUN_KF(transdata, 1, x, y, which);
    WriteBin(argv[2], "y.bin", y, 4096);
    return 0;
}
