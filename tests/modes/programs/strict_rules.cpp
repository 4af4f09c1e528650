// strict_rules: code production kernels write that opkit must accept as CANN does (issue 15), and
// the narrow cases where it does break a rule. One core, float data, one kernel per case; every
// kernel copies 128 floats of UB to GM z, which main writes to stdout.
//
//   kernel          what it does                                          npu_simulator
//   whole_ub        one TBuf of all 192 KiB, filled and read back          no finding
//   scratch_hit     Select(VSEL_TENSOR_SCALAR_MODE) while that TBuf is     [ub-scratch] at the Select
//                   live: CANN stages the scalar at TMP_UB_OFFSET (184 KiB)
//   scratch_queue   Select(VSEL_TENSOR_TENSOR_MODE) while a queue buffer   [ub-scratch] at the Select
//                   over 184..192 KiB is allocated
//   scratch_below   the same Select with buffers only below 184 KiB        no finding
//   scratch_freed   the queue buffer over the scratch area freed first     no finding
//   mask_one_word   Add on floats with `uint64_t mask[1]`                  no finding (and no read
//                                                                           past the array: ASan)
//   masked_row_end  a row of 8 floats in the last 32 bytes of UB, through   no finding (and no read
//                   WholeReduceSum, Adds and Cast with mask 8: the NPU     past the UB: ASan)
//                   reads only the mask's blocks
//   empty_unused    pipe.InitBuffer(buf, 0) for a TBuf and a TQue, unused  no finding
//   empty_used      a 0-byte TBuf used by Duplicate: it overwrites the     [empty-buffer] at the
//                   next buffer on the NPU                                  Duplicate
//
// z (stdout): 128 floats: scratch_* give dst[0..64) then the 64 floats at UB offset 184 KiB
// (or a copy of them) so cpu mode shows the bytes the NPU overwrites; masked_row_end gives its three
// results (z[0], z[8..16), 8 halves in z[16..20)) then the last 64 floats of UB.
// Usage: strict_rules CASE > z.bin
// Tested by: pytest tests/modes/test_strict.py --mode=cpu
#include <cstdio>
#include <cstring>
#include <string>

#include "tikicpulib.h"

using namespace AscendC;

namespace {
constexpr uint32_t UB = 192 * 1024;
constexpr uint32_t SCRATCH = 184 * 1024;  // TMP_UB_OFFSET on Ascend910B
constexpr int32_t N = 64;                 // floats per Select: one repeat

// Fill t with v (count floats) and order the vector pipe before the next instruction.
void Fill(const LocalTensor<float>& t, float v, int32_t count) {
    Duplicate(t, v, count);
    PipeBarrier<PIPE_V>();
}

// Copy 64 floats of a and 64 of b to z (after every pipe is done).
void Out(GM_ADDR z, const LocalTensor<float>& a, const LocalTensor<float>& b) {
    GlobalTensor<float> zg;
    zg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(z), 2 * N);
    PipeBarrier<PIPE_ALL>();
    DataCopy(zg, a, N);
    DataCopy(zg[N], b, N);
    PipeBarrier<PIPE_ALL>();
}

// A selMask of 64 bits: even lanes take src0.
void Mask(const LocalTensor<float>& where) {
    LocalTensor<uint16_t> m = where.ReinterpretCast<uint16_t>();
    Duplicate(m, uint16_t(0x5555), 16);
    PipeBarrier<PIPE_V>();
}
}  // namespace

extern "C" __global__ __aicore__ void whole_ub(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> all;
    pipe.InitBuffer(all, UB);
    LocalTensor<float> t = all.Get<float>();
    Fill(t, 2.0f, UB / sizeof(float));
    Out(z, t, t[UB / sizeof(float) - N]);
}

extern "C" __global__ __aicore__ void scratch_hit(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> all;
    pipe.InitBuffer(all, UB);
    LocalTensor<float> t = all.Get<float>();
    Fill(t, 1.0f, UB / sizeof(float));
    LocalTensor<float> src0 = t, mask = t[N], dst = t[2 * N];
    Mask(mask);
    Select(dst, mask.ReinterpretCast<uint8_t>(), src0, 5.0f, SELMODE::VSEL_TENSOR_SCALAR_MODE, N);  // CHECK: ub-scratch
    Out(z, dst, t[SCRATCH / sizeof(float)]);
}

extern "C" __global__ __aicore__ void scratch_queue(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> low;
    TQue<TPosition::VECOUT, 1> high;
    pipe.InitBuffer(low, SCRATCH - 4096);
    pipe.InitBuffer(high, 1, UB - (SCRATCH - 4096));
    LocalTensor<float> t = low.Get<float>();
    Fill(t, 1.0f, 4 * N);
    LocalTensor<float> h = high.AllocTensor<float>();
    Fill(h, 7.0f, h.GetSize());
    LocalTensor<float> src0 = t, src1 = t[N], mask = t[2 * N], dst = t[3 * N];
    Fill(src1, 3.0f, N);
    Mask(mask);
    Select(dst, mask.ReinterpretCast<uint8_t>(), src0, src1, SELMODE::VSEL_TENSOR_TENSOR_MODE, N);  // CHECK: ub-scratch
    Out(z, dst, h[4096 / sizeof(float)]);
    high.FreeTensor(h);
}

extern "C" __global__ __aicore__ void scratch_below(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> low;
    pipe.InitBuffer(low, SCRATCH);
    LocalTensor<float> t = low.Get<float>();
    Fill(t, 1.0f, 3 * N);
    LocalTensor<float> src0 = t, mask = t[N], dst = t[2 * N];
    Mask(mask);
    Select(dst, mask.ReinterpretCast<uint8_t>(), src0, 5.0f, SELMODE::VSEL_TENSOR_SCALAR_MODE, N);
    Out(z, dst, src0);
}

extern "C" __global__ __aicore__ void scratch_freed(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> low;
    TQue<TPosition::VECOUT, 1> high;
    pipe.InitBuffer(low, SCRATCH - 4096);
    pipe.InitBuffer(high, 1, UB - (SCRATCH - 4096));
    LocalTensor<float> h = high.AllocTensor<float>();
    Fill(h, 7.0f, N);
    high.FreeTensor(h);  // the buffer over the scratch area holds nothing now
    LocalTensor<float> t = low.Get<float>();
    Fill(t, 1.0f, 3 * N);
    LocalTensor<float> src0 = t, mask = t[N], dst = t[2 * N];
    Mask(mask);
    Select(dst, mask.ReinterpretCast<uint8_t>(), src0, 5.0f, SELMODE::VSEL_TENSOR_SCALAR_MODE, N);
    Out(z, dst, src0);
}

extern "C" __global__ __aicore__ void mask_one_word(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 3 * N * sizeof(float));
    LocalTensor<float> t = buf.Get<float>();
    LocalTensor<float> a = t, b = t[N], dst = t[2 * N];
    Fill(a, 1.5f, N);
    Fill(b, 2.0f, N);
    Fill(dst, 0.0f, N);
    uint64_t mask[1] = {0xFFFF};  // 32-bit type: only the first word applies
    Add(dst, a, b, mask, 1, {1, 1, 1, 8, 8, 8});
    Out(z, dst, a);
}

// Note [Masked-off blocks] (runtime/src/vec_internal.h): a block no lane of which the mask enables is
// not read, so a row may end the UB; before that note opkit read all 8 blocks, 224 bytes past the UB.
extern "C" __global__ __aicore__ void masked_row_end(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> all;
    pipe.InitBuffer(all, UB);
    LocalTensor<float> t = all.Get<float>();
    LocalTensor<float> top = t[UB / sizeof(float) - N], row = t[UB / sizeof(float) - 8];
    Fill(t, 0.0f, N);
    Fill(top, 0.0f, N);
    Fill(row, 1.5f, 8);
    WholeReduceSum(t, row, 8, 1, 1, 1, 8);  // t[0] = 12
    Adds(t[8], row, 1.0f, 8, 1, {1, 1, 8, 8});  // t[8..16) = 2.5
    Cast(t[16].ReinterpretCast<half>(), row, RoundMode::CAST_NONE, 8, 1, {1, 1, 4, 8});  // 8 halves of 1.5
    Out(z, t, top);
}

extern "C" __global__ __aicore__ void empty_unused(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> unused;
    TQue<TPosition::VECIN, 2> unusedQue;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(unused, 0);
    pipe.InitBuffer(unusedQue, 2, 0);
    pipe.InitBuffer(buf, 2 * N * sizeof(float));
    LocalTensor<float> t = buf.Get<float>();
    Fill(t, 4.0f, 2 * N);
    Out(z, t, t[N]);
}

extern "C" __global__ __aicore__ void empty_used(GM_ADDR z) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> empty;
    TBuf<TPosition::VECCALC> next;
    pipe.InitBuffer(empty, 0);
    pipe.InitBuffer(next, 2 * N * sizeof(float));
    LocalTensor<float> n = next.Get<float>();
    Fill(n, 4.0f, 2 * N);
    Duplicate(empty.Get<float>(), 3.0f, N);  // CHECK: empty-buffer
    Out(z, n, n[N]);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 2;
    }
    uint8_t* z = (uint8_t*)GmAlloc(2 * N * sizeof(float));
    std::memset(z, 0, 2 * N * sizeof(float));
    const std::string c = argv[1];
    SetKernelMode(KernelMode::AIV_MODE);
    if (c == "whole_ub") ICPU_RUN_KF(whole_ub, 1, z);
    else if (c == "scratch_hit") ICPU_RUN_KF(scratch_hit, 1, z);
    else if (c == "scratch_queue") ICPU_RUN_KF(scratch_queue, 1, z);
    else if (c == "scratch_below") ICPU_RUN_KF(scratch_below, 1, z);
    else if (c == "scratch_freed") ICPU_RUN_KF(scratch_freed, 1, z);
    else if (c == "mask_one_word") ICPU_RUN_KF(mask_one_word, 1, z);
    else if (c == "masked_row_end") ICPU_RUN_KF(masked_row_end, 1, z);
    else if (c == "empty_unused") ICPU_RUN_KF(empty_unused, 1, z);
    else if (c == "empty_used") ICPU_RUN_KF(empty_used, 1, z);
    else {
        std::fprintf(stderr, "%s: unknown case '%s'\n", argv[0], argv[1]);
        return 2;
    }
    std::fwrite(z, 1, 2 * N * sizeof(float), stdout);
    GmFree(z);
    return 0;
}
