// global_size: a DataCopy past the element count given to SetGlobalBuffer, inside the GM buffer the
// host allocated. The NPU copies it without complaint; the npu_simulator model reports it, because
// the size the kernel declared and the data it moves disagree.
//
//   past_size   SetGlobalBuffer(x, 64) then DataCopy of 128 floats
//   within      the same copy of 64 floats (control: no finding)
//   next_row    2 cores, each SetGlobalBuffer(x + 64 * idx, 64); core 0 copies gm[64..128), core 1's row
//   pad_past    DataCopyPad of 65 floats (260 bytes) from SetGlobalBuffer(x, 64)
//   pad_out     DataCopyPad of 65 floats into SetGlobalBuffer(x, 64)
//   value_past  gm.GetValue(64) and gm.SetValue(64, ...) on SetGlobalBuffer(x, 64)
//
// Usage: global_size CASE
// Tested by: pytest tests/modes/test_global_size.py
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

template <uint32_t COUNT>
__aicore__ inline void CopyIn(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    DataCopy(buf.Get<float>(), gm, COUNT);  // CHECK: globaltensor-size
}

extern "C" __global__ __aicore__ void past_size(GM_ADDR x) { CopyIn<128>(x); }
extern "C" __global__ __aicore__ void within(GM_ADDR x) { CopyIn<64>(x); }

extern "C" __global__ __aicore__ void next_row(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    GlobalTensor<float> row;
    row.SetGlobalBuffer((__gm__ float*)x + 64 * GetBlockIdx(), 64);
    if (GetBlockIdx() == 0) DataCopy(buf.Get<float>(), row[64], 64);  // CHECK: next_row
}

extern "C" __global__ __aicore__ void pad_past(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    const DataCopyPadExtParams<float> noPad(false, 0, 0, 0.0f);
    DataCopyPad(buf.Get<float>(), gm, DataCopyExtParams(1, 65 * sizeof(float), 0, 0, 0), noPad);  // CHECK: pad_past
}

extern "C" __global__ __aicore__ void pad_out(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    LocalTensor<float> t = buf.Get<float>();
    Duplicate(t, 1.0f, 72);
    PipeBarrier<PIPE_ALL>();
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    DataCopyPad(gm, t, DataCopyExtParams(1, 65 * sizeof(float), 0, 0, 0));  // CHECK: pad_out
}

extern "C" __global__ __aicore__ void value_past(GM_ADDR x) {
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    gm.SetValue(64, gm.GetValue(64) + 1.0f);  // CHECK: value_past
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc < 2) return 2;
    uint8_t* x = (uint8_t*)GmAlloc(4096);
    if (!std::strcmp(argv[1], "past_size")) ICPU_RUN_KF(past_size, 1, x);
    else if (!std::strcmp(argv[1], "within")) ICPU_RUN_KF(within, 1, x);
    else if (!std::strcmp(argv[1], "next_row")) ICPU_RUN_KF(next_row, 2, x);
    else if (!std::strcmp(argv[1], "pad_past")) ICPU_RUN_KF(pad_past, 1, x);
    else if (!std::strcmp(argv[1], "pad_out")) ICPU_RUN_KF(pad_out, 1, x);
    else if (!std::strcmp(argv[1], "value_past")) ICPU_RUN_KF(value_past, 1, x);
    else return 2;
    GmFree(x);
    return 0;
}
