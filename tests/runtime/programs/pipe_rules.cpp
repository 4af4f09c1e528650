// pipe_rules: kernels that break a rule of TPipe/TQue, one per case. On the NPU each of them
// corrupts UB, deadlocks or reuses a buffer in flight; opkit must stop the program with
//   opkit: error: <kernel> core <n>: <message>      (exit status 1)
//
//   ub_overflow     pipe.InitBuffer of 2 x 100 KiB: more than the 192 KiB of a 910B core's UB
//   queue_too_deep  TQue<VECIN, 1> with 2 buffers, EnQue twice without a DeQue
//   deque_empty     core 3 of 4 DeQues a queue nothing was EnQue'd to (cores 0..2 behave)
//   alloc_exhausted AllocTensor three times from a 2-buffer queue, never FreeTensor
//   double_free     FreeTensor twice on the same tensor
//   two_pipes       a second TPipe while the first is alive (both would carve UB from offset 0)
//   well_behaved    the same queue used correctly (control: must succeed); it also makes a
//                   second TPipe after Destroy() of the first, which is allowed
//
// Usage: pipe_rules CASE
// Tested by: pytest tests/runtime/test_cpu_debug.py -k pipe_rule
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

extern "C" __global__ __aicore__ void ub_overflow(GM_ADDR) {
    TPipe pipe;
    TQue<QuePosition::VECIN, 2> que;
    pipe.InitBuffer(que, 2, 100 * 1024);
}

extern "C" __global__ __aicore__ void queue_too_deep(GM_ADDR) {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> que;
    pipe.InitBuffer(que, 2, 256);
    LocalTensor<float> a = que.AllocTensor<float>();
    LocalTensor<float> b = que.AllocTensor<float>();
    que.EnQue(a);
    que.EnQue(b);  // depth 1: the first tensor was never DeQue'd
}

extern "C" __global__ __aicore__ void deque_empty(GM_ADDR) {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> que;
    pipe.InitBuffer(que, 1, 256);
    LocalTensor<float> t = que.AllocTensor<float>();
    if (GetBlockIdx() != 3) que.EnQue(t);
    LocalTensor<float> u = que.DeQue<float>();  // core 3: nothing to take
    que.FreeTensor(u);
}

extern "C" __global__ __aicore__ void alloc_exhausted(GM_ADDR) {
    TPipe pipe;
    TQue<QuePosition::VECOUT, 2> que;
    pipe.InitBuffer(que, 2, 256);
    LocalTensor<half> a = que.AllocTensor<half>();
    LocalTensor<half> b = que.AllocTensor<half>();
    LocalTensor<half> c = que.AllocTensor<half>();  // both buffers are still held
    (void)a; (void)b; (void)c;
}

extern "C" __global__ __aicore__ void double_free(GM_ADDR) {
    TPipe pipe;
    TQue<QuePosition::VECOUT, 2> que;
    pipe.InitBuffer(que, 2, 256);
    LocalTensor<half> a = que.AllocTensor<half>();
    que.FreeTensor(a);
    que.FreeTensor(a);
}

extern "C" __global__ __aicore__ void two_pipes(GM_ADDR) {
    TPipe first;
    TBuf<QuePosition::VECCALC> a;
    first.InitBuffer(a, 256);
    TPipe second;  // still alive: first
}

extern "C" __global__ __aicore__ void well_behaved(GM_ADDR) {
    {
        TPipe earlier;
        earlier.Destroy();
    }
    TPipe once;
    once.Destroy();
    TPipe pipe;
    TQue<QuePosition::VECIN, 2> que;
    pipe.InitBuffer(que, 2, 90 * 1024);  // 180 KiB of UB: fits
    for (int round = 0; round < 3; ++round) {
        LocalTensor<half> a = que.AllocTensor<half>();
        LocalTensor<half> b = que.AllocTensor<half>();
        que.EnQue(a);
        que.EnQue(b);
        LocalTensor<half> c = que.DeQue<half>();
        LocalTensor<half> d = que.DeQue<half>();
        que.FreeTensor(c);
        que.FreeTensor(d);
    }
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc < 2) return UnknownCase(argv[0], "");
    uint8_t* gm = (uint8_t*)GmAlloc(32);
    const char* c = argv[1];
    if (!std::strcmp(c, "ub_overflow")) ICPU_RUN_KF(ub_overflow, 1, gm);
    else if (!std::strcmp(c, "queue_too_deep")) ICPU_RUN_KF(queue_too_deep, 1, gm);
    else if (!std::strcmp(c, "deque_empty")) ICPU_RUN_KF(deque_empty, 4, gm);
    else if (!std::strcmp(c, "alloc_exhausted")) ICPU_RUN_KF(alloc_exhausted, 1, gm);
    else if (!std::strcmp(c, "double_free")) ICPU_RUN_KF(double_free, 1, gm);
    else if (!std::strcmp(c, "two_pipes")) ICPU_RUN_KF(two_pipes, 1, gm);
    else if (!std::strcmp(c, "well_behaved")) ICPU_RUN_KF(well_behaved, 2, gm);
    else return UnknownCase(argv[0], c);
    GmFree(gm);
    std::printf("%s: ok\n", c);
    return 0;
}
