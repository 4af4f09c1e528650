// memory_rules: GM and UB accesses that would corrupt host memory on the CPU (and read or overwrite
// someone else's data on the NPU) must stop the kernel; plus API details pinned by review.
//
//   gm_outside      DataCopy to a GM address past every GmAlloc'd buffer (offset in bytes, not elements)
//   gm_scalar_oob   GlobalTensor::SetValue one element past its GmAlloc buffer
//   ub_call_oob     LocalTensor::operator() past the end of UB
//   vec_misaligned  Add on a float sub-tensor 4 bytes into its buffer (UB operands are 32-byte aligned)
//   vec_past_ub     Muls whose count runs its operands past the end of UB
//   tiling_short    GET_TILING_DATA of a struct larger than the tiling buffer
//   printf_ok       AscendC::printf unqualified under `using namespace AscendC` (must compile and print)
//   mask_zero       Adds with a continuous mask of 0 changes nothing; a mask of 1000 is clamped to all lanes
//   shift_wide      ShiftLeft by 16 of int16 gives 0 (every bit shifted out), no undefined behaviour
//   int64_cast      Cast int64 2^62+2^39-1 -> float32 with CAST_TRUNC gives 2^62 (one rounding)
//
// Usage: memory_rules CASE
// Tested by: pytest tests/runtime/test_memory_rules.py
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

struct BigTiling {
    uint32_t words[64];
};

extern "C" __global__ __aicore__ void gm_outside(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 256);
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x + 4096, 64);  // meant 4096 bytes, wrote 4096 elements
    DataCopy(gm, buf.Get<float>(), 64);
}

extern "C" __global__ __aicore__ void gm_scalar_oob(GM_ADDR x) {
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    gm.SetValue(1024, 1.0f);  // the GmAlloc buffer holds 1024 floats
}

extern "C" __global__ __aicore__ void ub_call_oob(GM_ADDR) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 256);
    LocalTensor<float> t = buf.Get<float>();
    t(200 * 1024 / 4) = 1.0f;  // past the end of a 192 KiB UB
}

extern "C" __global__ __aicore__ void vec_misaligned(GM_ADDR) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    LocalTensor<float> t = buf.Get<float>();
    Duplicate(t, 1.0f, 256);
    Add(t, t[1], t, 64);  // src0 4 bytes past the buffer's start
}

extern "C" __global__ __aicore__ void vec_past_ub(GM_ADDR) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    LocalTensor<float> t = buf.Get<float>();
    Muls(t, t, 2.0f, 200 * 1024 / 4);  // 200 KiB of floats from the start of a 192 KiB UB
}

extern "C" __global__ __aicore__ void tiling_short(GM_ADDR tiling) {
    GET_TILING_DATA_WITH_STRUCT(BigTiling, data, tiling);
    (void)data;
}

extern "C" __global__ __aicore__ void printf_ok(GM_ADDR) {
    half h = 1.5f;
    printf("core %d of %d says %.2f\n", int(GetBlockIdx()), int(GetBlockNum()), h);
}

extern "C" __global__ __aicore__ void mask_zero(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 256);
    LocalTensor<float> t = buf.Get<float>();
    Duplicate(t, 1.0f, 64);
    Adds(t, t, 1.0f, uint64_t(0), 1, UnaryRepeatParams());     // nothing
    Adds(t, t, 10.0f, uint64_t(1000), 1, UnaryRepeatParams());  // all 64 lanes
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 64);
    DataCopy(gm, t, 64);
}

extern "C" __global__ __aicore__ void shift_wide(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> buf;
    pipe.InitBuffer(buf, 256);
    LocalTensor<int16_t> t = buf.Get<int16_t>();
    Duplicate(t, int16_t(0x1234), 128);
    ShiftLeft(t, t, int16_t(16), 128);
    GlobalTensor<int16_t> gm;
    gm.SetGlobalBuffer((__gm__ int16_t*)x, 128);
    DataCopy(gm, t, 128);
}

extern "C" __global__ __aicore__ void int64_cast(GM_ADDR x) {
    TPipe pipe;
    TBuf<QuePosition::VECCALC> in, out;
    pipe.InitBuffer(in, 256);
    pipe.InitBuffer(out, 256);
    LocalTensor<int64_t> a = in.Get<int64_t>();
    a.SetValue(0, (int64_t(1) << 62) + (int64_t(1) << 39) - 1);
    LocalTensor<float> b = out.Get<float>();
    Cast(b, a, RoundMode::CAST_TRUNC, 1);
    GlobalTensor<float> gm;
    gm.SetGlobalBuffer((__gm__ float*)x, 8);
    gm.SetValue(0, b.GetValue(0));
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc < 2) return 2;
    uint8_t* gm = (uint8_t*)GmAlloc(4096);
    const char* c = argv[1];
    if (!std::strcmp(c, "gm_outside")) ICPU_RUN_KF(gm_outside, 1, gm);
    else if (!std::strcmp(c, "gm_scalar_oob")) ICPU_RUN_KF(gm_scalar_oob, 1, gm);
    else if (!std::strcmp(c, "ub_call_oob")) ICPU_RUN_KF(ub_call_oob, 1, gm);
    else if (!std::strcmp(c, "vec_misaligned")) ICPU_RUN_KF(vec_misaligned, 1, gm);
    else if (!std::strcmp(c, "vec_past_ub")) ICPU_RUN_KF(vec_past_ub, 1, gm);
    else if (!std::strcmp(c, "tiling_short")) {
        uint8_t* small = (uint8_t*)GmAlloc(32);
        ICPU_RUN_KF(tiling_short, 1, small);
    } else if (!std::strcmp(c, "printf_ok")) ICPU_RUN_KF(printf_ok, 2, gm);
    else if (!std::strcmp(c, "mask_zero") || !std::strcmp(c, "shift_wide") || !std::strcmp(c, "int64_cast")) {
        if (!std::strcmp(c, "mask_zero")) ICPU_RUN_KF(mask_zero, 1, gm);
        if (!std::strcmp(c, "shift_wide")) ICPU_RUN_KF(shift_wide, 1, gm);
        if (!std::strcmp(c, "int64_cast")) ICPU_RUN_KF(int64_cast, 1, gm);
        std::fwrite(gm, 1, 512, stdout);
        return 0;
    } else return 2;
    std::printf("%s: ok\n", c);
    return 0;
}
