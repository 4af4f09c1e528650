// hl_norm: the normalisation APIs on one core. RmsNorm: x [B, S, H] and gamma [H] (GM) -> UB ->
// RmsNorm -> y [B, S, H]. The host computes the tiling as an op's TilingFunc would
// (GetRmsNormTilingInfo({B, S, H}, {B, S, ORIH}, TMP, sizeof(T), tiling)) and passes it by value;
// when that returns false the program prints `tiling: false` and exits 3.
//
//   form: shared     sharedTmpBuffer = a TBuf of TMP bytes
//         framework  a filler TBuf leaves exactly TMP bytes of UB free for the API to take
//
// LayerNorm: x [B, S, H], gamma and beta [H] -> y [B, S, H], mean and variance [B, S], with the
// tiling from GetLayerNormNDTilingInfo({B, S, H, ORIH}, TMP, sizeof(T), false, tiling).
//
// Usage: hl_norm {rmsnorm|layernorm} {half|float} {shared|framework} B S H ORIH TMP DIR
//        (DIR/x.bin, DIR/gamma.bin[, DIR/beta.bin] -> DIR/y.bin[, DIR/mean.bin, DIR/var.bin]; epsilon 1e-5)
// Tested by: pytest tests/hlapi/test_norm.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "tiling/tiling_api.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

namespace {
constexpr float EPSILON = 1e-5f;
}

template <typename T>
__global__ __aicore__ void hl_rmsnorm(GM_ADDR x, GM_ADDR gamma, GM_ADDR y, uint32_t total, uint32_t h, int32_t shared,
                                      uint32_t tmpBytes, RmsNormTiling tiling) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, gBuf, yBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, total * sizeof(T));
    pipe.InitBuffer(gBuf, h * sizeof(T));
    pipe.InitBuffer(yBuf, total * sizeof(T));
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    if (!shared) pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - tmpBytes);
    GlobalTensor<T> xGm, gGm, yGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, total);
    gGm.SetGlobalBuffer((__gm__ T*)gamma, h);
    yGm.SetGlobalBuffer((__gm__ T*)y, total);
    LocalTensor<T> xl = xBuf.Get<T>(), gl = gBuf.Get<T>(), yl = yBuf.Get<T>();  // [B*S*H], [H], [B*S*H]
    DataCopy(xl, xGm, total);
    DataCopy(gl, gGm, h);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    if (shared)
        RmsNorm(yl, xl, gl, tmpBuf.Get<uint8_t>(), T(EPSILON), tiling);
    else
        RmsNorm(yl, xl, gl, T(EPSILON), tiling);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, total);
}

template <typename T>
int RunRmsNorm(const char* form, uint32_t b, uint32_t s, uint32_t h, uint32_t oriH, uint32_t tmp, const char* dir) {
    optiling::RmsNormTiling tiling;
    if (!GetRmsNormTilingInfo(ge::Shape({int64_t(b), int64_t(s), int64_t(h)}), ge::Shape({int64_t(b), int64_t(s), int64_t(oriH)}),
                              tmp, sizeof(T), tiling)) {
        std::printf("tiling: false\n");
        return 3;
    }
    const uint32_t total = b * s * h;
    uint8_t* x = (uint8_t*)GmAlloc(total * sizeof(T));
    uint8_t* g = (uint8_t*)GmAlloc(h * sizeof(T));
    uint8_t* y = (uint8_t*)GmAlloc(total * sizeof(T));
    ReadBin(dir, "x.bin", x, total * sizeof(T));
    ReadBin(dir, "gamma.bin", g, h * sizeof(T));
    ICPU_RUN_KF(hl_rmsnorm<T>, 1, x, g, y, total, h, int32_t(!std::strcmp(form, "shared")), tmp, tiling);
    WriteBin(dir, "y.bin", y, total * sizeof(T));
    std::printf("mainBsLength %u loopRound %u tailBsLength %u\n", tiling.mainBsLength, tiling.loopRound, tiling.tailBsLength);
    GmFree(x); GmFree(g); GmFree(y);
    return 0;
}

template <typename T>
__global__ __aicore__ void hl_layernorm(GM_ADDR x, GM_ADDR gamma, GM_ADDR beta, GM_ADDR y, GM_ADDR mean, GM_ADDR var,
                                        uint32_t rows, uint32_t h, int32_t shared, uint32_t tmpBytes, LayerNormTiling tiling) {
    const uint32_t total = rows * h, rowsPad = (rows * sizeof(T) + 31) / 32 * 32 / sizeof(T);
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, gBuf, bBuf, yBuf, mBuf, vBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, total * sizeof(T));
    pipe.InitBuffer(gBuf, h * sizeof(T));
    pipe.InitBuffer(bBuf, h * sizeof(T));
    pipe.InitBuffer(yBuf, total * sizeof(T));
    pipe.InitBuffer(mBuf, rowsPad * sizeof(T));
    pipe.InitBuffer(vBuf, rowsPad * sizeof(T));
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    if (!shared) pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - tmpBytes);
    GlobalTensor<T> xGm, gGm, bGm, yGm, mGm, vGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, total);
    gGm.SetGlobalBuffer((__gm__ T*)gamma, h);
    bGm.SetGlobalBuffer((__gm__ T*)beta, h);
    yGm.SetGlobalBuffer((__gm__ T*)y, total);
    mGm.SetGlobalBuffer((__gm__ T*)mean, rowsPad);
    vGm.SetGlobalBuffer((__gm__ T*)var, rowsPad);
    LocalTensor<T> xl = xBuf.Get<T>(), gl = gBuf.Get<T>(), bl = bBuf.Get<T>(), yl = yBuf.Get<T>();
    LocalTensor<T> ml = mBuf.Get<T>(), vl = vBuf.Get<T>();  // [B*S], padded to a block
    DataCopy(xl, xGm, total);
    DataCopy(gl, gGm, h);
    DataCopy(bl, bGm, h);
    Duplicate(ml, T(0), rowsPad);  // the padding past B*S is copied out too
    Duplicate(vl, T(0), rowsPad);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    PipeBarrier<PIPE_V>();
    if (shared)
        LayerNorm<T>(yl, ml, vl, xl, gl, bl, tmpBuf.Get<uint8_t>(), T(EPSILON), tiling);
    else
        LayerNorm<T>(yl, ml, vl, xl, gl, bl, T(EPSILON), tiling);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, total);
    DataCopy(mGm, ml, rowsPad);
    DataCopy(vGm, vl, rowsPad);
}

template <typename T>
int RunLayerNorm(const char* form, uint32_t b, uint32_t s, uint32_t h, uint32_t oriH, uint32_t tmp, const char* dir) {
    optiling::LayerNormTiling tiling;
    GetLayerNormNDTilingInfo(ge::Shape({int64_t(b), int64_t(s), int64_t(h), int64_t(oriH)}), tmp, sizeof(T), false, tiling);
    const uint32_t rows = b * s, total = rows * h, rowsPad = (rows * sizeof(T) + 31) / 32 * 32 / sizeof(T);
    uint8_t* x = (uint8_t*)GmAlloc(total * sizeof(T));
    uint8_t* g = (uint8_t*)GmAlloc(h * sizeof(T));
    uint8_t* be = (uint8_t*)GmAlloc(h * sizeof(T));
    uint8_t* y = (uint8_t*)GmAlloc(total * sizeof(T));
    uint8_t* m = (uint8_t*)GmAlloc(rowsPad * sizeof(T));
    uint8_t* v = (uint8_t*)GmAlloc(rowsPad * sizeof(T));
    ReadBin(dir, "x.bin", x, total * sizeof(T));
    ReadBin(dir, "gamma.bin", g, h * sizeof(T));
    ReadBin(dir, "beta.bin", be, h * sizeof(T));
    ICPU_RUN_KF(hl_layernorm<T>, 1, x, g, be, y, m, v, rows, h, int32_t(!std::strcmp(form, "shared")), tmp, tiling);
    WriteBin(dir, "y.bin", y, total * sizeof(T));
    WriteBin(dir, "mean.bin", m, rows * sizeof(T));
    WriteBin(dir, "var.bin", v, rows * sizeof(T));
    std::printf("rows per pass %u loopRound %u\n", tiling.meanVarRoundSize, tiling.loopRound);
    GmFree(x); GmFree(g); GmFree(be); GmFree(y); GmFree(m); GmFree(v);
    return 0;
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 10) {
        std::fprintf(stderr, "usage: %s {rmsnorm|layernorm} {half|float} {shared|framework} B S H ORIH TMP DIR\n", argv[0]);
        return 2;
    }
    uint32_t v[5];
    for (int i = 0; i < 5; ++i) v[i] = uint32_t(std::stoul(argv[4 + i]));
    const bool isHalf = !std::strcmp(argv[2], "half");
    if (!isHalf && std::strcmp(argv[2], "float") != 0) return UnknownCase(argv[0], argv[2]);
    try {  // the host-side tiling refuses bad shapes by throwing, as an op's TilingFunc would see it
        if (!std::strcmp(argv[1], "rmsnorm"))
            return isHalf ? RunRmsNorm<half>(argv[3], v[0], v[1], v[2], v[3], v[4], argv[9])
                          : RunRmsNorm<float>(argv[3], v[0], v[1], v[2], v[3], v[4], argv[9]);
        if (!std::strcmp(argv[1], "layernorm"))
            return isHalf ? RunLayerNorm<half>(argv[3], v[0], v[1], v[2], v[3], v[4], argv[9])
                          : RunLayerNorm<float>(argv[3], v[0], v[1], v[2], v[3], v[4], argv[9]);
    } catch (const opkit::KernelError& e) {
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        return 1;
    }
    return UnknownCase(argv[0], argv[1]);
}
