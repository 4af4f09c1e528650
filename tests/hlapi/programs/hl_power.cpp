// hl_power: Power on one core, against numpy in tests/hlapi/test_power.py.
//
//   hl_power {half|float|int32} {tt|ts|st} {shared|framework} N TMP DIR
//     tt: y = x0 ^ x1 (tensors), ts: y = x0 ^ s, st: y = s ^ x1 (s from s.bin, one float; for int32
//     the float's value converted);
//     x0.bin, x1.bin [N] -> y.bin [N]; calCount = N. shared: a TBuf of TMP bytes; framework: TMP
//     bytes of UB left free below the scratch area.
//   hl_power query N TYPESIZE ISINT    prints GetPowerMaxMinTmpSize for tt, ts and st.
//
// Tested by: pytest tests/hlapi/test_power.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "tiling/tiling_api.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

template <typename T>
__global__ __aicore__ void hl_power(GM_ADDR x0, GM_ADDR x1, GM_ADDR y, uint32_t n, int32_t form, float s, int32_t shared,
                                    uint32_t tmpBytes) {
    const uint32_t bytes = (n * sizeof(T) + 31) / 32 * 32;
    TPipe pipe;
    TBuf<TPosition::VECCALC> aBuf, bBuf, yBuf, tmpBuf, filler;
    pipe.InitBuffer(aBuf, bytes);
    pipe.InitBuffer(bBuf, bytes);
    pipe.InitBuffer(yBuf, bytes);
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    // framework: TMP bytes free just below UB's 8 KiB scratch area (Power keeps its temporaries there)
    if (!shared) pipe.InitBuffer(filler, 184 * 1024 - pipe.Used(opkit::rt::Mem::UB) - tmpBytes);
    GlobalTensor<T> aGm, bGm, yGm;
    aGm.SetGlobalBuffer((__gm__ T*)x0, bytes / sizeof(T));
    bGm.SetGlobalBuffer((__gm__ T*)x1, bytes / sizeof(T));
    yGm.SetGlobalBuffer((__gm__ T*)y, bytes / sizeof(T));
    LocalTensor<T> a = aBuf.Get<T>(), b = bBuf.Get<T>(), yl = yBuf.Get<T>();
    DataCopy(a, aGm, bytes / sizeof(T));
    DataCopy(b, bGm, bytes / sizeof(T));
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    const T sv = T(s);
    LocalTensor<uint8_t> tmp = shared ? tmpBuf.Get<uint8_t>() : LocalTensor<uint8_t>();
    if (form == 0) shared ? Power<T>(yl, a, b, tmp, n) : Power<T>(yl, a, b, n);
    if (form == 1) shared ? Power<T>(yl, a, sv, tmp, n) : Power<T>(yl, a, sv, n);
    if (form == 2) shared ? Power<T>(yl, sv, b, tmp, n) : Power<T>(yl, sv, b, n);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, bytes / sizeof(T));
}

template <typename T>
int Run(int32_t form, int32_t shared, uint32_t n, uint32_t tmp, const char* dir) {
    const uint32_t bytes = (n * sizeof(T) + 31) / 32 * 32;
    uint8_t *a = (uint8_t*)GmAlloc(bytes), *b = (uint8_t*)GmAlloc(bytes), *y = (uint8_t*)GmAlloc(bytes);
    float s = 0;
    ReadBin(dir, "x0.bin", a, bytes);
    ReadBin(dir, "x1.bin", b, bytes);
    ReadBin(dir, "s.bin", &s, 4);
    ICPU_RUN_KF(hl_power<T>, 1, a, b, y, n, form, s, shared, tmp);
    WriteBin(dir, "y.bin", y, bytes);
    GmFree(a); GmFree(b); GmFree(y);
    return 0;
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    try {
        if (argc == 5 && !std::strcmp(argv[1], "query")) {
            const int64_t n = std::stoll(argv[2]);
            const uint32_t ts = uint32_t(std::stoul(argv[3]));
            const bool isInt = std::strcmp(argv[4], "0") != 0;
            const ge::Shape t({n}), one({1});
            uint32_t mx[3], mn[3];
            GetPowerMaxMinTmpSize(t, t, isInt, ts, false, mx[0], mn[0]);
            GetPowerMaxMinTmpSize(t, one, isInt, ts, false, mx[1], mn[1]);
            GetPowerMaxMinTmpSize(one, t, isInt, ts, false, mx[2], mn[2]);
            std::printf("tt %u %u ts %u %u st %u %u\n", mx[0], mn[0], mx[1], mn[1], mx[2], mn[2]);
            return 0;
        }
        if (argc == 7) {
            const int32_t form = !std::strcmp(argv[2], "tt") ? 0 : (!std::strcmp(argv[2], "ts") ? 1 : 2);
            const int32_t shared = !std::strcmp(argv[3], "shared");
            const uint32_t n = uint32_t(std::stoul(argv[4])), tmp = uint32_t(std::stoul(argv[5]));
            if (!std::strcmp(argv[1], "half")) return Run<half>(form, shared, n, tmp, argv[6]);
            if (!std::strcmp(argv[1], "float")) return Run<float>(form, shared, n, tmp, argv[6]);
            if (!std::strcmp(argv[1], "int32")) return Run<int32_t>(form, shared, n, tmp, argv[6]);
        }
    } catch (const opkit::KernelError& e) {
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: %s {half|float|int32} {tt|ts|st} {shared|framework} N TMP DIR | query N TYPESIZE ISINT\n", argv[0]);
    return 2;
}
