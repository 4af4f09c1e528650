// cube_load3d: LoadData with LoadData3DParamsV2 (img2col, L1 -> L0A/L0B) on one 910B cube core, as a
// CANN kernel-launch CPU-debug program, in its two uses:
//
//   conv: a convolution as one matmul. The feature map (C channels, H x W, NC1HWC0 in GM) goes to L1
//   as it is; LoadData3DV2 unrolls it into X (Ho*Wo x C1*KH*KW*C0) in L0A; the weights, given as
//   Bt (COUT x K, K ordered (c1, kh, kw, c0)), go through Nd2Nz + LoadData into L0B; Mmad and Fixpipe
//   give Y (Ho*Wo x COUT) = X x Bt^T, the correlation of the padded map with the filters.
//     GM map ─DataCopy─> A1 (NC1HWC0) ─LoadData3DV2─> A2 (Zz) ─┐
//     GM Bt ─Nd2Nz─> B1 ─LoadData─> B2 (Zn) ───────────────────┴ Mmad ─> CO1 ─Fixpipe─> GM Y (ND)
//   conv_regs: the same with IsResetLoad3dConfig {false, false}: the map and the padding value come
//   from SetFmatrix and SetLoadDataPaddingValue, the LoadData parameters' own are wrong on purpose.
//
//   mm / mmT: a matmul whose operands reach L0A/L0B through LoadData3DV2 with a 1x1 kernel (the Nz
//   matrix in L1 is a map with l1H = 1; the asc-devkit load_data_l12l0 sample): mm takes A (M x K)
//   to L0A and B (K x N) to L0B; mmT takes A^T (K x M) to L0A with enTranspose.
//
//   half (C float) or float. M, N, K multiples of 16; C a multiple of C0 (16 for half).
// Usage: cube_load3d {mm,mmT}_{half,float} DIR M N K          (DIR/a.bin, DIR/b.bin -> DIR/c.bin)
//        cube_load3d conv[_regs] DIR C H W COUT KH KW SH SW DH DW PL PR PT PB PADVAL
//                                                              (DIR/x.bin, DIR/bt.bin -> DIR/y.bin)
//        cube_load3d BROKEN  with BROKEN one of int8_transpose, channel12, repeat2, smallk, right,
//        boundary, dst_small (L0A one fractal short; npu_simulator finding).
// Tested by: pytest tests/runtime/test_cube_load3d.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

constexpr IsResetLoad3dConfig FROM_REGISTERS = {false, false};

struct Conv {
    uint32_t c, h, w, cout, kh, kw, sh, sw, dh, dw, pl, pr, pt, pb;
    float padValue;
    bool regs;
};

__aicore__ inline uint32_t Align16(uint32_t x) { return (x + 15) / 16 * 16; }

uint32_t OutSize(uint32_t in, uint32_t p0, uint32_t p1, uint32_t k, uint32_t d, uint32_t s) {
    return (in + p0 + p1 - (d * (k - 1) + 1)) / s + 1;
}

__aicore__ inline void ConvKernel(GM_ADDR x, GM_ADDR bt, GM_ADDR y, const Conv& p) {
    const uint32_t ho = OutSize(p.h, p.pt, p.pb, p.kh, p.dh, p.sh), wo = OutSize(p.w, p.pl, p.pr, p.kw, p.dw, p.sw);
    const uint32_t m = ho * wo, mAlign = Align16(m), k = p.c * p.kh * p.kw, nb = Align16(p.cout) / 16, kb = k / 16;
    TPipe pipe;
    TQue<QuePosition::A1, 1> a1Q;
    TQue<QuePosition::B1, 1> b1Q;
    TQue<QuePosition::A2, 1> a2Q;
    TQue<QuePosition::B2, 1> b2Q;
    TQue<QuePosition::CO1, 1> cQ;
    pipe.InitBuffer(a1Q, 1, p.c * p.h * p.w * 2);
    pipe.InitBuffer(b1Q, 1, nb * 16 * k * 2);
    pipe.InitBuffer(a2Q, 1, mAlign * k * 2);
    pipe.InitBuffer(b2Q, 1, nb * 16 * k * 2);
    pipe.InitBuffer(cQ, 1, mAlign * nb * 16 * 4);
    GlobalTensor<half> xGm, btGm;
    GlobalTensor<float> yGm;
    xGm.SetGlobalBuffer((__gm__ half*)x, p.c * p.h * p.w);
    btGm.SetGlobalBuffer((__gm__ half*)bt, p.cout * k);
    yGm.SetGlobalBuffer((__gm__ float*)y, m * p.cout);

    LocalTensor<half> a1 = a1Q.AllocTensor<half>();
    DataCopy(a1, xGm, p.c * p.h * p.w);  // NC1HWC0 as it is
    a1Q.EnQue(a1);
    LocalTensor<half> b1 = b1Q.AllocTensor<half>();
    DataCopy(b1, btGm, Nd2NzParams(1, p.cout, k, 0, k, nb * 16, 1, 0));
    b1Q.EnQue(b1);
    a1 = a1Q.DeQue<half>();
    b1 = b1Q.DeQue<half>();

    LoadData3DParamsV2<half> lp;
    lp.channelSize = p.c;
    lp.kExtension = k;
    lp.mExtension = mAlign;
    lp.strideW = p.sw;
    lp.strideH = p.sh;
    lp.filterW = p.kw;
    lp.filterH = p.kh;
    lp.dilationFilterW = p.dw;
    lp.dilationFilterH = p.dh;
    const uint8_t pads[4] = {uint8_t(p.pl), uint8_t(p.pr), uint8_t(p.pt), uint8_t(p.pb)};
    LocalTensor<half> a2 = a2Q.AllocTensor<half>();
    if (p.regs) {
        lp.l1H = 1;  // ignored: the registers hold the map
        lp.l1W = 1;
        lp.padValue = half(-7.0f);
        SetFmatrix(uint16_t(p.h), uint16_t(p.w), pads, FmatrixMode::FMATRIX_LEFT);
        SetLoadDataPaddingValue(half(p.padValue));
        SetLoadDataRepeat({0, 1, 0});
        SetLoadDataBoundary(0);
        LoadData<half, FROM_REGISTERS>(a2, a1, lp);
    } else {
        lp.l1H = uint16_t(p.h);
        lp.l1W = uint16_t(p.w);
        for (int i = 0; i < 4; ++i) lp.padList[i] = pads[i];
        lp.padValue = half(p.padValue);
        LoadData(a2, a1, lp);
    }
    a2Q.EnQue(a2);
    LocalTensor<half> b2 = b2Q.AllocTensor<half>();  // L1 fractal (nb, kb) at kb*nb + nb: already L0B order
    for (uint32_t j = 0; j < kb; ++j)
        LoadData(b2[j * nb * 256], b1, LoadData2DParams(uint16_t(j * nb), uint8_t(nb), 1, 0, 0, false, 0));
    b2Q.EnQue(b2);
    a1Q.FreeTensor(a1);
    b1Q.FreeTensor(b1);
    a2 = a2Q.DeQue<half>();
    b2 = b2Q.DeQue<half>();
    LocalTensor<float> c = cQ.AllocTensor<float>();
    Mmad(c, a2, b2, MmadParams(uint16_t(m), uint16_t(p.cout), uint16_t(k), 0, false, true));
    a2Q.FreeTensor(a2);
    b2Q.FreeTensor(b2);
    cQ.EnQue(c);
    c = cQ.DeQue<float>();
    FixpipeParamsV220 fp;
    fp.nSize = uint16_t(p.cout);
    fp.mSize = uint16_t(m);
    fp.srcStride = uint16_t(mAlign);
    fp.dstStride = p.cout;
    Fixpipe<float, float, CFG_ROW_MAJOR>(yGm, c, fp);
    cQ.FreeTensor(c);
}

// An Nz matrix in L1 (rows x cols, columns in C0 blocks) as a 1-high map: img2col with a 1x1 kernel.
template <typename T>
__aicore__ inline LoadData3DParamsV2<T> MatrixLoad(uint32_t rows, uint32_t cols, bool transpose) {
    LoadData3DParamsV2<T> p;
    p.l1H = 1;
    p.l1W = uint16_t(rows);
    p.channelSize = uint16_t(cols);
    p.kExtension = uint16_t(cols);
    p.mExtension = uint16_t(rows);
    p.enTranspose = transpose;
    return p;
}

template <typename T>
__aicore__ inline void MatmulKernel(GM_ADDR a, GM_ADDR b, GM_ADDR cOut, uint32_t m, uint32_t n, uint32_t k, bool transA,
                                    bool dstSmall) {
    TPipe pipe;
    TQue<QuePosition::A1, 1> a1Q;
    TQue<QuePosition::B1, 1> b1Q;
    TQue<QuePosition::A2, 1> a2Q;
    TQue<QuePosition::B2, 1> b2Q;
    TQue<QuePosition::CO1, 1> cQ;
    pipe.InitBuffer(a1Q, 1, m * k * sizeof(T));
    pipe.InitBuffer(b1Q, 1, k * n * sizeof(T));
    pipe.InitBuffer(a2Q, 1, m * k * sizeof(T));
    pipe.InitBuffer(b2Q, 1, k * n * sizeof(T));
    pipe.InitBuffer(cQ, 1, m * n * 4);
    GlobalTensor<T> aGm, bGm;
    GlobalTensor<float> cGm;
    aGm.SetGlobalBuffer((__gm__ T*)a, m * k);
    bGm.SetGlobalBuffer((__gm__ T*)b, k * n);
    cGm.SetGlobalBuffer((__gm__ float*)cOut, m * n);
    LocalTensor<T> a1 = a1Q.AllocTensor<T>();
    if (transA) DataCopy(a1, aGm, Nd2NzParams(1, uint16_t(k), uint16_t(m), 0, uint16_t(m), uint16_t(k), 1, 0));
    else DataCopy(a1, aGm, Nd2NzParams(1, uint16_t(m), uint16_t(k), 0, uint16_t(k), uint16_t(m), 1, 0));
    a1Q.EnQue(a1);
    LocalTensor<T> b1 = b1Q.AllocTensor<T>();
    DataCopy(b1, bGm, Nd2NzParams(1, uint16_t(k), uint16_t(n), 0, uint16_t(n), uint16_t(k), 1, 0));
    b1Q.EnQue(b1);
    a1 = a1Q.DeQue<T>();
    b1 = b1Q.DeQue<T>();
    LocalTensor<T> a2 = a2Q.AllocTensor<T>();
    if (dstSmall) a2 = a2[256];
    LoadData(a2, a1, transA ? MatrixLoad<T>(k, m, true) : MatrixLoad<T>(m, k, false));
    a2Q.EnQue(a2);
    LocalTensor<T> b2 = b2Q.AllocTensor<T>();
    LoadData(b2, b1, MatrixLoad<T>(k, n, false));  // into L0B: B with K along the map's width
    b2Q.EnQue(b2);
    a1Q.FreeTensor(a1);
    b1Q.FreeTensor(b1);
    a2 = a2Q.DeQue<T>();
    b2 = b2Q.DeQue<T>();
    LocalTensor<float> c = cQ.AllocTensor<float>();
    Mmad(c, a2, b2, MmadParams(uint16_t(m), uint16_t(n), uint16_t(k), 0, false, true));
    a2Q.FreeTensor(a2);
    b2Q.FreeTensor(b2);
    cQ.EnQue(c);
    c = cQ.DeQue<float>();
    FixpipeParamsV220 fp;
    fp.nSize = uint16_t(n);
    fp.mSize = uint16_t(m);
    fp.srcStride = uint16_t(m);
    fp.dstStride = n;
    Fixpipe<float, float, CFG_ROW_MAJOR>(cGm, c, fp);
    cQ.FreeTensor(c);
}

}  // namespace

extern "C" __global__ __aicore__ void load3d_conv(GM_ADDR x, GM_ADDR bt, GM_ADDR y, Conv p) { ConvKernel(x, bt, y, p); }
extern "C" __global__ __aicore__ void load3d_mm_half(GM_ADDR a, GM_ADDR b, GM_ADDR c, uint32_t m, uint32_t n, uint32_t k,
                                                     bool transA, bool dstSmall) {
    MatmulKernel<half>(a, b, c, m, n, k, transA, dstSmall);
}
extern "C" __global__ __aicore__ void load3d_mm_float(GM_ADDR a, GM_ADDR b, GM_ADDR c, uint32_t m, uint32_t n,
                                                      uint32_t k, bool transA, bool dstSmall) {
    MatmulKernel<float>(a, b, c, m, n, k, transA, dstSmall);
}

// Broken kernels: one LoadData3DV2 each (or a register call) that the rules refuse.
extern "C" __global__ __aicore__ void load3d_broken(int which) {
    TPipe pipe;
    TBuf<TPosition::A1> l1;
    TBuf<TPosition::A2> l0a;
    pipe.InitBuffer(l1, 8192);
    pipe.InitBuffer(l0a, 8192);
    if (which == 0) {  // int8 transposed into L0A
        LoadData(l0a.Get<int8_t>(), l1.Get<int8_t>(), MatrixLoad<int8_t>(32, 64, true));
    } else if (which == 1) {  // 12 channels of half
        LoadData3DParamsV2<half> p = MatrixLoad<half>(16, 16, false);
        p.channelSize = 12;
        LoadData(l0a.Get<half>(), l1.Get<half>(), p);
    } else if (which == 2) {  // two iterations
        SetLoadDataRepeat({1, 2, 0});
        LoadData(l0a.Get<half>(), l1.Get<half>(), MatrixLoad<half>(16, 16, false));
    } else if (which == 3) {
        LoadData3DParamsV2<half> p = MatrixLoad<half>(16, 16, false);
        p.enSmallK = true;
        LoadData(l0a.Get<half>(), l1.Get<half>(), p);
    } else if (which == 4) {
        const uint8_t pads[4] = {0, 0, 0, 0};
        SetFmatrix(1, 16, pads, FmatrixMode::FMATRIX_RIGHT);
    } else {
        SetLoadDataBoundary(512);
        LoadData(l0a.Get<half>(), l1.Get<half>(), MatrixLoad<half>(16, 16, false));
    }
}

int main(int argc, char* argv[]) {
    if (argc < 2) return 2;
    const std::string c = argv[1];
    SetKernelMode(KernelMode::AIC_MODE);
    static const char* broken[] = {"int8_transpose", "channel12", "repeat2", "smallk", "right", "boundary"};
    for (int i = 0; i < 6; ++i)
        if (c == broken[i]) {
            ICPU_RUN_KF(load3d_broken, 1, i);
            return 0;
        }
    if (argc < 3) return 2;
    const char* dir = argv[2];
    if (c == "conv" || c == "conv_regs") {
        if (argc < 18) return 2;
        uint32_t v[15];
        for (int i = 0; i < 14; ++i) v[i] = uint32_t(std::atoi(argv[3 + i]));
        const Conv p{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                     float(std::atof(argv[17])), c == "conv_regs"};
        const uint32_t ho = OutSize(p.h, p.pt, p.pb, p.kh, p.dh, p.sh), wo = OutSize(p.w, p.pl, p.pr, p.kw, p.dw, p.sw);
        const size_t xBytes = size_t(p.c) * p.h * p.w * 2, btBytes = size_t(p.cout) * p.c * p.kh * p.kw * 2;
        const size_t yBytes = size_t(ho) * wo * p.cout * 4;
        uint8_t* x = (uint8_t*)GmAlloc(xBytes);
        uint8_t* bt = (uint8_t*)GmAlloc(btBytes);
        uint8_t* y = (uint8_t*)GmAlloc(yBytes);
        ReadBin(dir, "x.bin", x, xBytes);
        ReadBin(dir, "bt.bin", bt, btBytes);
        ICPU_RUN_KF(load3d_conv, 1, x, bt, y, p);
        WriteBin(dir, "y.bin", y, yBytes);
        GmFree(x);
        GmFree(bt);
        GmFree(y);
        return 0;
    }
    std::string mm = c;
    const bool dstSmall = mm == "dst_small";
    if (dstSmall) mm = "mm_half";
    const bool transA = mm.rfind("mmT_", 0) == 0;
    const std::string type = mm.substr(mm.find('_') + 1);
    if ((mm.rfind("mm_", 0) != 0 && !transA) || (type != "half" && type != "float") || argc < 6)
        return UnknownCase(argv[0], argv[1]);
    const uint32_t m = uint32_t(std::atoi(argv[3])), n = uint32_t(std::atoi(argv[4])), k = uint32_t(std::atoi(argv[5]));
    const size_t e = type == "half" ? 2 : 4;
    uint8_t* a = (uint8_t*)GmAlloc(size_t(m) * k * e);
    uint8_t* b = (uint8_t*)GmAlloc(size_t(k) * n * e);
    uint8_t* cc = (uint8_t*)GmAlloc(size_t(m) * n * 4);
    ReadBin(dir, "a.bin", a, size_t(m) * k * e);
    ReadBin(dir, "b.bin", b, size_t(k) * n * e);
    if (e == 2) ICPU_RUN_KF(load3d_mm_half, 1, a, b, cc, m, n, k, transA, dstSmall);
    else ICPU_RUN_KF(load3d_mm_float, 1, a, b, cc, m, n, k, transA, dstSmall);
    WriteBin(dir, "c.bin", cc, size_t(m) * n * 4);
    GmFree(a);
    GmFree(b);
    GmFree(cc);
    return 0;
}
