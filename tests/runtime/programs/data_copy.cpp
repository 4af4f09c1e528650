// data_copy: 20 fp16 elements (40 bytes, not a whole number of 32-byte blocks) GM -> UB -> GM.
//
//   round_down  DataCopy(count = 20) both ways: the NPU moves whole 32-byte blocks only, so 16
//               elements arrive and the last 4 output elements keep what GM held before.
//   copy_pad    DataCopyPad with blockLen = 40 bytes both ways: exactly 20 elements arrive.
//               DataCopyPad does not exist on Ascend910A (run with OPKIT_SOC=Ascend910A: error).
//
//   GM x[32] ─> UB buf (one 64-byte TQueBind<VECIN, VECOUT> buffer) ─> GM z[32]
//
// Usage: data_copy CASE DIR   (reads DIR/x.bin and DIR/z.bin (z's prior contents); writes DIR/z.bin)
// Tested by: pytest tests/runtime/test_cpu_debug.py -k "round_down or copy_pad"
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {
constexpr uint32_t GM_ELEMS = 32;
constexpr uint32_t COPY_ELEMS = 20;  // 40 bytes
}  // namespace

extern "C" __global__ __aicore__ void copy_round_down(GM_ADDR x, GM_ADDR z) {
    TPipe pipe;
    TQueBind<TPosition::VECIN, TPosition::VECOUT, 1> que;
    pipe.InitBuffer(que, 1, 64);
    GlobalTensor<half> xGm, zGm;
    xGm.SetGlobalBuffer((__gm__ half*)x, GM_ELEMS);
    zGm.SetGlobalBuffer((__gm__ half*)z, GM_ELEMS);
    LocalTensor<half> buf = que.AllocTensor<half>();
    DataCopy(buf, xGm, COPY_ELEMS);
    que.EnQue(buf);
    buf = que.DeQue<half>();
    DataCopy(zGm, buf, COPY_ELEMS);
    que.FreeTensor(buf);
}

extern "C" __global__ __aicore__ void copy_pad(GM_ADDR x, GM_ADDR z) {
    TPipe pipe;
    TQueBind<TPosition::VECIN, TPosition::VECOUT, 1> que;
    pipe.InitBuffer(que, 1, 64);
    GlobalTensor<half> xGm, zGm;
    xGm.SetGlobalBuffer((__gm__ half*)x, GM_ELEMS);
    zGm.SetGlobalBuffer((__gm__ half*)z, GM_ELEMS);
    LocalTensor<half> buf = que.AllocTensor<half>();
    const DataCopyExtParams params(1, COPY_ELEMS * sizeof(half), 0, 0, 0);
    DataCopyPad(buf, xGm, params, DataCopyPadExtParams<half>(false, 0, 0, half(0.0f)));
    que.EnQue(buf);
    buf = que.DeQue<half>();
    DataCopyPad(zGm, buf, params);
    que.FreeTensor(buf);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s {round_down|copy_pad} DIR\n", argv[0]);
        return 2;
    }
    const size_t bytes = GM_ELEMS * sizeof(half);
    uint8_t* x = (uint8_t*)GmAlloc(bytes);
    uint8_t* z = (uint8_t*)GmAlloc(bytes);
    ReadBin(argv[2], "x.bin", x, bytes);
    ReadBin(argv[2], "z.bin", z, bytes);
    if (!std::strcmp(argv[1], "round_down")) ICPU_RUN_KF(copy_round_down, 1, x, z);
    else if (!std::strcmp(argv[1], "copy_pad")) ICPU_RUN_KF(copy_pad, 1, x, z);
    else return UnknownCase(argv[0], argv[1]);
    WriteBin(argv[2], "z.bin", z, bytes);
    GmFree(x);
    GmFree(z);
    return 0;
}
