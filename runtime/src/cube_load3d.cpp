// opkit: LoadData with LoadData3DParamsV2, the img2col load L1 -> L0A/L0B (pipe MTE1), and the
// registers it reads (SetFmatrix, SetLoadDataPaddingValue, SetLoadDataRepeat, SetLoadDataBoundary).
// Layouts of L0A/L0B: Note [Cube layouts] in cube.cpp.
//
// Note [LoadData 3D v2]: the facts, from the asc-devkit docs (LoadData_3D.md, SetFmatrix.md,
// SetLoadDataPaddingValue.md, SetLoadDataRepeat.md, SetLoadDataBoundary.md), the reference model
// load_data_l12l0/scripts/load3d.py and CANN's CPU-debug checks (impl/basic_api/
// kernel_operator_mm_check.h), read for facts only; the words and code here are ours.
//   - The source is a feature map in L1 laid out NC1HWC0 (N = 1): C0 = 32 / sizeof(T) channels per
//     block, C1 = channelSize / C0 blocks, element (c, h, w) at ((c/C0 * l1H + h) * l1W + w) * C0 + c%C0.
//     (An Nz matrix in L1 is the feature map with l1H = 1, l1W = its rows, channels = its columns;
//     that is how kernels use this load for plain matmuls.)
//   - The kernel is filterH x filterW (+256 each with filterSizeH/W), dilated by dilationFilterH/W,
//     slid by strideH/W over the map padded by padList = {left, right, top, bottom}. With
//     Ho = (l1H + top + bottom - (dilH*(filterH-1) + 1)) / strideH + 1 (Wo likewise), the img2col
//     matrix X has a row per output position m = ho*Wo + wo and a column per
//     k = ((c1*filterH + kh)*filterW + kw)*C0 + c0, and X[m][k] is the map at channel c1*C0 + c0,
//     h = ho*strideH + kh*dilH - top, w = wo*strideW + kw*dilW - left, or the padding value where
//     (h, w) is outside the map. The load takes rows mStartPt.. (mExtension of them) and columns
//     kStartPt.. (kExtension) of X.
//   - Destination: L0A receives that slice as the left operand A (Zz: rows in 16s, columns in C0s),
//     or with enTranspose its transpose; L0B receives it as the right operand B with B's K along
//     X's rows (Zn: K in C0s, N in 16s) - "transposed automatically". Rows or columns of the last
//     fractals past the slice are not written (the reference model masks them).
//   - 910B: L0A takes 8-, 16- and 32-bit types, transposed only 16- and 32-bit; L0B 16- and
//     32-bit. kExtension and kStartPt are multiples of C0; for 8- and 16-bit types mExtension and
//     mStartPt are multiples of 16 (CANN's checks). l1H, l1W, channelSize, kExtension, mExtension
//     0, or a filter size of 0 without the +256 flag: a no-op. Strides 1..63, dilations 1..255.
//     Destination 512-byte aligned, source 32-byte aligned.
//   - The feature map and padding value are registers: the default LoadData sets them from its
//     parameters (IsResetLoad3dConfig {true, true}); with false it uses what SetFmatrix /
//     SetLoadDataPaddingValue (or an earlier LoadData) left. fMatrixCtrl and SetFmatrix's mode:
//     only the left registers exist (FMATRIX_LEFT). SetLoadDataBoundary(b): L1 addresses at or past
//     b bytes wrap to L1's start (0: no boundary; 1..1023 undefined).
//   - Not implemented by opkit (refused by name): channel sizes that are not multiples of C0 (the
//     4/8/16-channel layouts), repeat times above 1 (SetLoadDataRepeat), enSmallK (the doc says it
//     is no longer supported), other SoCs.
#include "cube_internal.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace opkit {
namespace rt {

using namespace cube;

void SetFmatrixState(uint16_t l1H, uint16_t l1W, const uint8_t padList[4], uint8_t mode) {
    if (mode != 0)
        Fail("SetFmatrix: FmatrixMode::FMATRIX_RIGHT is not supported (the docs: only FMATRIX_LEFT, which both "
             "matrices use)");
    CoreState::Load3D& s = Core().load3d;
    s.l1H = l1H;
    s.l1W = l1W;
    std::memcpy(s.pad, padList, 4);
}
void SetLoad3DPadding(uint32_t bits) { Core().load3d.padBits = bits; }
void SetLoad3DRepeat(uint16_t repeatStride, uint8_t repeatTime, uint8_t repeatMode) {
    if (repeatMode > 1) Fail("SetLoadDataRepeat: repeatMode " + std::to_string(repeatMode) + " is not 0 or 1");
    CoreState::Load3D& s = Core().load3d;
    s.repeatStride = repeatStride;
    s.repeatTime = repeatTime;
    s.repeatMode = repeatMode;
}
void SetLoad3DBoundary(uint32_t bytes) { Core().load3d.boundary = bytes; }

namespace {

// The geometry of one load (Note [LoadData 3D v2]).
struct Geometry {
    uint32_t e, c0, h, w, c1, kh, kw, dh, dw, sh, sw, padL, padT, ho, wo;
};

}  // namespace

void CubeLoad3DV2(const CubeOperand& dst, const CubeOperand& src, const Load3DArgs& a) {
    const bool toA = dst.mem == Mem::L0A;
    const char* what = toA ? "LoadData(L1->L0A, LoadData3DParamsV2)" : "LoadData(L1->L0B, LoadData3DParamsV2)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!Is910B(soc))
        Fail(std::string(what) + " is not implemented by opkit on " + soc.name + " (910B-class SoCs only)");
    if (dst.mem != Mem::L0A && dst.mem != Mem::L0B)
        Fail(std::string("LoadData(LoadData3DParamsV2): the destination must be in A2 (L0A) or B2 (L0B), this one is in ") +
             WhereName(dst));
    if (src.mem != Mem::L1)
        Fail(std::string(what) + ": the source must be in A1/B1 (L1), this one is in " + WhereName(src));
    const uint32_t e = DTypeSize(dst.type);
    if (toA)
        RequireType(dst.type, {DType::I8, DType::U8, DType::F16, DType::BF16, DType::I32, DType::U32, DType::F32}, what,
                    "data");
    else
        RequireType(dst.type, {DType::F16, DType::BF16, DType::I32, DType::U32, DType::F32}, what, "data");
    const bool transpose = toA && a.enTranspose;
    if (transpose && e == 1)
        Fail(std::string(what) + ": enTranspose with " + DTypeName(dst.type) + " data: " + soc.name +
             " transposes only 16- and 32-bit types in this load (use LoadDataWithTranspose for 8-bit ones)");
    if (a.enSmallK) Fail(std::string(what) + ": enSmallK is no longer supported (LoadData_3D.md); leave it false");
    if (a.fMatrixCtrl)
        Fail(std::string(what) + ": fMatrixCtrl true (the right feature-map registers) is not supported; leave it false");
    CheckCubeCore(what, ret);
    CoreState::Load3D& st = Core().load3d;
    if (a.setFmatrix) {  // the load writes the registers first, as CANN's LoadData does
        st.l1H = a.l1H;
        st.l1W = a.l1W;
        std::memcpy(st.pad, a.padList, 4);
    }
    if (a.setPadding) st.padBits = a.padBits;
    const uint32_t kh = a.filterH + (a.filterSizeH ? 256u : 0u), kw = a.filterW + (a.filterSizeW ? 256u : 0u);
    if (st.l1H == 0 || st.l1W == 0 || a.channelSize == 0 || a.kExtension == 0 || a.mExtension == 0 || kh == 0 ||
        kw == 0 || st.repeatTime == 0)
        return;  // a no-op on the NPU
    const uint32_t c0 = 32 / e;
    if (st.repeatTime > 1)
        Fail(std::string(what) + ": SetLoadDataRepeat with repeatTime " + std::to_string(st.repeatTime) +
             " is not implemented by opkit (one iteration per LoadData)");
    if (a.channelSize % c0 != 0)
        Fail(std::string(what) + ": channelSize " + std::to_string(a.channelSize) + " is not a multiple of C0 = " +
             std::to_string(c0) + "; opkit implements the NC1HWC0 map with whole C0 blocks only (the 4/8/16-channel "
             "layouts are not implemented)");
    if (a.kExtension % c0 != 0 || a.kStartPt % c0 != 0)
        Fail(std::string(what) + ": kExtension " + std::to_string(a.kExtension) + " and kStartPt " +
             std::to_string(a.kStartPt) + " must be multiples of C0 = " + std::to_string(c0) + " for " +
             DTypeName(dst.type));
    if (e != 4 && (a.mExtension % 16 != 0 || a.mStartPt % 16 != 0))
        Fail(std::string(what) + ": mExtension " + std::to_string(a.mExtension) + " and mStartPt " +
             std::to_string(a.mStartPt) + " must be multiples of 16 for " + DTypeName(dst.type));
    if (a.strideW == 0 || a.strideW > 63 || a.strideH == 0 || a.strideH > 63 || a.dilationFilterW == 0 ||
        a.dilationFilterH == 0 || st.l1H > 32767 || st.l1W > 32767 || a.mStartPt > 32767)
        Fail(std::string(what) + ": a field is out of range (strideW " + std::to_string(a.strideW) + ", strideH " +
             std::to_string(a.strideH) + " in 1..63; dilationFilterW " + std::to_string(a.dilationFilterW) +
             ", dilationFilterH " + std::to_string(a.dilationFilterH) + " in 1..255; l1H " + std::to_string(st.l1H) +
             ", l1W " + std::to_string(st.l1W) + ", mStartPt " + std::to_string(a.mStartPt) + " at most 32767)");
    Geometry g{e, c0, st.l1H, st.l1W, a.channelSize / c0, kh, kw, a.dilationFilterH, a.dilationFilterW,
               a.strideH, a.strideW, st.pad[0], st.pad[2], 0, 0};
    const int64_t spanH = int64_t(g.h) + st.pad[2] + st.pad[3] - (int64_t(g.dh) * (kh - 1) + 1);
    const int64_t spanW = int64_t(g.w) + st.pad[0] + st.pad[1] - (int64_t(g.dw) * (kw - 1) + 1);
    if (spanH < 0 || spanW < 0)
        Fail(std::string(what) + ": the dilated " + std::to_string(kh) + "x" + std::to_string(kw) +
             " kernel does not fit the padded " + std::to_string(g.h) + "x" + std::to_string(g.w) + " feature map");
    g.ho = uint32_t(spanH / g.sh + 1);
    g.wo = uint32_t(spanW / g.sw + 1);
    const uint32_t boundary = st.boundary;
    if (boundary != 0 && boundary < 1024)
        Fail(std::string(what) + ": SetLoadDataBoundary(" + std::to_string(boundary) +
             ") is undefined behaviour (the boundary is 0 or at least 1024 bytes)");
    const uint64_t srcOff = uint64_t(src.addr - MemBase(Mem::L1));
    if (boundary != 0 && srcOff >= boundary)
        Fail(std::string(what) + ": the source starts at L1 offset " + std::to_string(srcOff) +
             ", outside the boundary SetLoadDataBoundary set (" + std::to_string(boundary) + " bytes)");

    // The destination layout: R x C matrix of fractals, rB row blocks of 16 (L0A) or C0 (L0B).
    const uint32_t mExt = a.mExtension, kExt = a.kExtension;
    uint64_t dstSpan;
    if (!toA) dstSpan = CeilDiv(mExt, c0) * CeilDiv(kExt, 16) * 512;
    else if (transpose) dstSpan = CeilDiv(kExt, 16) * CeilDiv(mExt, c0) * 512;
    else dstSpan = CeilDiv(mExt, 16) * CeilDiv(kExt, c0) * 512;
    // The source: the channel blocks the columns reach.
    const uint32_t lastC1 = (a.kStartPt + kExt - 1) / c0 / (kh * kw);
    const uint64_t plane = uint64_t(g.h) * g.w * 32;  // bytes of one C0 block of the map
    const uint64_t srcSpan = (uint64_t(lastC1) + 1) * plane;
    CheckLocal(dst, dst.mem, toA ? "destination (A2)" : "destination (B2)", dstSpan, what, ret);
    uint8_t* l1 = MemBase(Mem::L1);
    const uint64_t l1Size = Core().memSize[int(Mem::L1)];
    if (boundary == 0) CheckLocal(src, Mem::L1, "source (A1/B1)", srcSpan, what, ret);
    else AscendC::detail::CheckAligned(src.addr, Mem::L1, what);

    uint8_t pad[32];  // one C0 run of the padding value
    for (uint32_t i = 0; i < c0; ++i) std::memcpy(pad + i * e, &st.padBits, e);
    const bool model = Model() != nullptr;
    if (auto* m = Model()) {
        const auto& prm = Core().launch->params;
        m->Load(what, uint64_t(mExt) * kExt * e, toA ? prm.l1ToL0aBytesPerCycle : prm.l1ToL0bBytesPerCycle);
        ModelAccess(dst.addr, dstSpan, true, what, ret, sim::MTE1);
    }
    const uint32_t kBlocks = kExt / c0;
    const uint64_t colFracs = !toA ? CeilDiv(kExt, 16) : (transpose ? CeilDiv(mExt, c0) : kBlocks);
    const uint8_t* runStart = nullptr;  // npu_simulator: source reads, merged while they are contiguous
    uint64_t runBytes = 0;
    for (uint32_t kb = 0; kb < kBlocks; ++kb) {
        const uint32_t kIdx = a.kStartPt / c0 + kb;  // the column block of X: (c1, kh, kw)
        const uint32_t cb = kIdx / (kh * kw), fh = kIdx / kw % kh, fw = kIdx % kw;
        for (uint32_t i = 0; i < mExt; ++i) {
            const uint32_t row = a.mStartPt + i;
            const int64_t y = int64_t(row / g.wo) * g.sh + int64_t(fh) * g.dh - g.padT;
            const int64_t x = int64_t(row % g.wo) * g.sw + int64_t(fw) * g.dw - g.padL;
            const uint8_t* in = pad;
            if (y >= 0 && y < g.h && x >= 0 && x < g.w) {
                uint64_t off = srcOff + uint64_t(cb) * plane + (uint64_t(y) * g.w + uint64_t(x)) * 32;
                if (boundary != 0) off %= boundary;  // past the boundary the read wraps to L1's start
                if (off + 32 > l1Size)
                    Fail(std::string(what) + ": reads 32 bytes at L1 offset " + std::to_string(off) +
                         ", outside the core's L1 (" + std::to_string(l1Size) + " bytes)");
                in = l1 + off;
                if (model) {
                    if (runStart != nullptr && runStart + runBytes == in) {
                        runBytes += 32;
                    } else {
                        if (runStart != nullptr) ModelAccess(runStart, runBytes, false, what, ret, sim::MTE1);
                        runStart = in;
                        runBytes = 32;
                    }
                }
            }
            // Element (i, kb*C0 + t) of the slice, t < C0, to its place in the destination.
            if (toA && !transpose) {  // A = X: row i, column block kb, contiguous
                std::memcpy(dst.addr + ((uint64_t(i / 16) * colFracs + kb) * 512 + (i % 16) * 32), in, 32);
                continue;
            }
            for (uint32_t t = 0; t < c0; ++t) {
                const uint32_t j = kb * c0 + t;  // the column of X
                uint64_t off;
                if (transpose)  // A = X^T: row j, column i
                    off = (uint64_t(j / 16) * colFracs + i / c0) * 512 + (uint64_t(j % 16) * c0 + i % c0) * e;
                else  // B = X, K along i: fractal (i/C0, j/16), element at (j%16)*C0 + i%C0
                    off = (uint64_t(i / c0) * colFracs + j / 16) * 512 + (uint64_t(j % 16) * c0 + i % c0) * e;
                std::memcpy(dst.addr + off, in + t * e, e);
            }
        }
    }
    if (runStart != nullptr) ModelAccess(runStart, runBytes, false, what, ret, sim::MTE1);
}

}  // namespace rt
}  // namespace opkit
