// opkit: the 910A/310P way out of the cube: DataCopy L0C (CO1) -> UB (CO2) with
// DataCopyEnhancedParams, fractal by fractal, with the conversions on the way (pipe V).
//
// Note [CO1 -> CO2 copy]: the facts, from the asc-devkit docs (L0C到UB数据搬运（DataCopy）.md,
// L1或L0C与UB数据搬运.md) and CANN's arch 1001/2002 implementations (impl/basic_api/dav_c100 and
// dav_m200, kernel_operator_data_copy_impl.h, and its CPU size check), read for facts only; the
// words and code here are ours.
//   - Where: 910A (arch 1001) and 310P (arch 2002), whose cube shares its core with the vector unit.
//     The copy runs on the V pipe (CANN marks it __inout_pipe__(V)), so on those SoCs a TQue<CO1>
//     hands L0C from M to V and a TQue<CO2> hands UB from V to MTE3 (CANN's queue events there:
//     CO1 -> CO2 -> GM). 910B-class SoCs (arch 2201) have no such path: Fixpipe takes results out.
//     (The doc lists only the 310P AI Core; the 2023 official MatMul sample runs it on 910A, and
//     CANN's 910A code issues the same instruction.)
//   - BLOCK_MODE_MATRIX: the unit is one 16x16 fractal of the source type (512 B of 16-bit, 1024 B
//     of 32-bit elements). blockCount bursts of blockLen fractals; in L0C the bursts are srcStride
//     fractals apart (from one burst's end to the next one's start), in UB dstStride 32-byte blocks
//     apart. A burst's fractals land back to back in UB, 256 elements of the destination type each,
//     so a float -> half burst reads blockLen*1024 bytes and writes blockLen*512: that is the doc's
//     "with a conversion the blockLen unit halves", as CANN's CPU size check computes it.
//   - BLOCK_MODE_VECTOR: the unit is one 1x16 row: unit u of burst b is row 0 of L0C fractal
//     b*(blockLen + srcStride) + u, and the rows land back to back in UB, 16 elements each (the
//     doc's blockLen unit 32 B / 64 B, srcStride unit 512 B / 1024 B; CANN's size check counts a
//     whole source fractal per unit). It is how a GEMV result (m = 1, one valid row per fractal)
//     leaves L0C, as CANN's Matmul does for a vector A.
//   - Types (the doc's tables): a same-type copy of half, float, int32 or uint32; float -> half,
//     rounded to nearest even (assumption, as for Fixpipe's F322F16: the doc gives no mode); isRelu
//     on {half, half}, {float, float}, {int32, int32}, {float, half} (negative -> 0; NaN stays NaN);
//     DEQ: int32 -> half and half -> half times M, the half in deqValue bits 0..15. opkit rounds the
//     exact product once to half, to nearest even (assumption: the doc names no rounding). DEQ only
//     on 310P: CANN's 910A code never loads deqValue for DEQ, so there the scale is whatever the
//     DEQSCALE register last held, which opkit does not model. CANN's code ignores isRelu under DEQ,
//     so opkit refuses the combination. DEQ8, DEQ16, VDEQ, VDEQ8 and VDEQ16 (int32 -> int8, uint8,
//     int16 or half with shifts, offsets and per-channel scale vectors) are refused as not
//     implemented: the doc gives neither their rounding nor their saturation.
//   - Note [Float saturation]: 910A and 310P saturate float overflow; opkit applies it to results
//     the copy computes (a conversion or a ReLU), as the vector unit's instructions do (assumption:
//     the copy runs on the V pipe), and not to plain copies, which move bits.
//   - blockCount or blockLen 0 moves nothing; blockCount is at most 4095 (DataCopyParams' range).
//     UB addresses are 32-byte aligned (CANN's 310P code asserts it), L0C ones at opkit's L0C
//     alignment (64 B). BLOCK_MODE_NORMAL, SMALL_CHANNEL and DEPTHWISE are documented as not
//     supported (NORMAL, the default, is what a kernel that forgot to set the mode passes);
//     padMode is reserved.
#include "cube_internal.h"

#include <cstring>

namespace opkit {
namespace rt {

using namespace cube;
using AscendC::BlockMode;
using AscendC::DeqScale;

namespace {

const char* DeqName(DeqScale d) {
    static const char* names[] = {"DEQ_NONE", "DEQ", "VDEQ", "DEQ8", "VDEQ8", "DEQ16", "VDEQ16"};
    return uint8_t(d) < 7 ? names[uint8_t(d)] : "?";
}
const char* BlockModeName(BlockMode m) {
    static const char* names[] = {"BLOCK_MODE_NORMAL", "BLOCK_MODE_MATRIX", "BLOCK_MODE_VECTOR",
                                  "BLOCK_MODE_SMALL_CHANNEL", "BLOCK_MODE_DEPTHWISE"};
    return uint8_t(m) < 5 ? names[uint8_t(m)] : "?";
}

enum class Conv : uint8_t { COPY, F32_TO_F16, DEQ_TO_F16 };

// What one element goes through, decided once per instruction.
struct Step {
    Conv conv;
    bool relu;
    bool saturate;  // Note [Float saturation], on computed results only
    double scale;   // DEQ: M
    DType src, dst;
};

// The checks of Note [CO1 -> CO2 copy] on types and modes: the per-element step, or a failure.
Step Decide(const CubeOperand& dst, const CubeOperand& src, const AscendC::DataCopyEnhancedParams& e,
            const SocInfo& soc, const char* what) {
    const DType s = src.type, d = dst.type;
    const std::string pair = std::string(DTypeName(s)) + " -> " + DTypeName(d);
    Step st{Conv::COPY, e.isRelu, false, 1.0, s, d};
    const DeqScale q = e.deqScale;
    if (q == DeqScale::DEQ8 || q == DeqScale::DEQ16 || q == DeqScale::VDEQ || q == DeqScale::VDEQ8 ||
        q == DeqScale::VDEQ16)
        Fail(std::string(what) + ": deqScale " + DeqName(q) + " (" + pair +
             ") is not implemented by opkit: its rounding and saturation are not documented. opkit implements "
             "DEQ_NONE copies, float32 -> float16 and DEQ (int32/float16 -> float16, 310P)");
    if (q == DeqScale::DEQ) {
        if (!((s == DType::I32 || s == DType::F16) && d == DType::F16))
            Fail(std::string(what) + ": deqScale DEQ converts int32 or float16 to float16, not " + pair);
        if (Is910A(soc))
            Fail(std::string(what) + ": deqScale DEQ on " + soc.name +
                 ": CANN's code there does not load deqValue (the scale is whatever the DEQSCALE register last "
                 "held), which opkit does not model; use DEQ on 310P, or convert with the vector unit");
        if (e.isRelu)
            Fail(std::string(what) + ": isRelu with deqScale DEQ: the NPU's DEQ copy ignores isRelu; apply Relu "
                 "in UB after the copy");
        uint16_t bits = uint16_t(e.deqValue & 0xffffu);
        st.conv = Conv::DEQ_TO_F16;
        st.scale = double(HalfBitsToFloat(bits));
        st.saturate = soc.floatSaturation;
        return st;
    }
    if (uint8_t(q) > uint8_t(DeqScale::VDEQ16))
        Fail(std::string(what) + ": deqScale " + std::to_string(int(q)) + " is not a DeqScale value");
    const bool same = s == d && (s == DType::F16 || s == DType::F32 || s == DType::I32 || s == DType::U32);
    if (s == DType::F32 && d == DType::F16) {
        st.conv = Conv::F32_TO_F16;
        st.saturate = soc.floatSaturation;
    } else if (s == DType::I32 && d == DType::F16) {
        Fail(std::string(what) + ": int32 -> float16 needs a deqScale (DEQ on 310P; DEQ16, VDEQ, VDEQ16 are not "
             "implemented by opkit); this one is DEQ_NONE");
    } else if (!same) {
        Fail(std::string(what) + ": " + pair +
             " is not a conversion of this copy with deqScale DEQ_NONE (same type: float16, float32, int32, uint32; "
             "float32 -> float16; int32 -> int8/uint8/int16/float16 need a quantising deqScale)");
    } else if (e.isRelu && (s == DType::F16 || s == DType::F32)) {
        st.saturate = soc.floatSaturation;
    }
    if (s == DType::U32) st.relu = false;  // nothing is negative
    return st;
}

float Relu(float v) { return v < 0 ? 0.0f : v; }  // NaN stays NaN

// `n` elements from `in` (source type) to `out` (destination type); in and out never overlap (L0C, UB).
void Move(const Step& st, const uint8_t* in, uint8_t* out, uint64_t n) {
    const uint32_t es = DTypeSize(st.src), ed = DTypeSize(st.dst);
    if (st.conv == Conv::COPY && !st.relu) {
        std::memcpy(out, in, n * es);
        return;
    }
    for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* p = in + i * es;
        uint8_t* o = out + i * ed;
        if (st.src == DType::I32 && st.conv == Conv::COPY) {  // ReLU
            int32_t v;
            std::memcpy(&v, p, 4);
            if (v < 0) v = 0;
            std::memcpy(o, &v, 4);
            continue;
        }
        double v;
        if (st.src == DType::I32) {
            int32_t x;
            std::memcpy(&x, p, 4);
            v = double(x);
        } else if (st.src == DType::F16) {
            uint16_t x;
            std::memcpy(&x, p, 2);
            v = double(HalfBitsToFloat(x));
        } else {
            float x;
            std::memcpy(&x, p, 4);
            v = double(x);
        }
        if (st.conv == Conv::DEQ_TO_F16) v *= st.scale;  // exact: at most 31 + 11 significant bits
        if (st.relu) v = double(Relu(float(v)));          // COPY and F32_TO_F16: v is a float here
        if (st.dst == DType::F32) {
            const float f = float(v);
            std::memcpy(o, &f, 4);
        } else {  // float16: one rounding to nearest even from the exact value
            const half h(v);
            std::memcpy(o, &h, 2);
        }
    }
    if (st.saturate) SaturateFloats(st.dst, out, int64_t(n));  // Note [Float saturation]
}

}  // namespace

void CubeL0cToUb(const CubeOperand& dst, const CubeOperand& src, const AscendC::DataCopyParams& p,
                 const AscendC::DataCopyEnhancedParams& e) {
    const char* what = "DataCopy(CO1->CO2, DataCopyEnhancedParams)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (src.mem != Mem::L0C) {
        if (dst.mem == Mem::L0C)
            Fail(std::string("DataCopy(") + WhereName(src) + "->CO1, DataCopyEnhancedParams): copies into L0C are not "
                 "implemented by opkit; Mmad writes L0C");
        Fail(std::string("DataCopy(local->local, DataCopyEnhancedParams): a ") + DTypeName(src.type) + " -> " +
             DTypeName(dst.type) + " copy from " + WhereName(src) + " to " + WhereName(dst) +
             ": only the copy out of L0C (CO1 -> CO2) converts types; elsewhere source and destination have one type");
    }
    if (soc.splitArch)
        Fail(std::string(what) + " does not exist on " + soc.name +
             ": its cube core has no UB, so results leave L0C through Fixpipe (L0C -> GM); use Fixpipe");
    if (dst.mem != Mem::UB)
        Fail(std::string(what) + ": the destination must be in CO2 (UB), this one is in " + WhereName(dst) +
             (dst.mem == Mem::COUNT ? " (copy to UB first, then DataCopy UB -> GM)" : ""));
    if (e.blockMode != BlockMode::BLOCK_MODE_MATRIX && e.blockMode != BlockMode::BLOCK_MODE_VECTOR)
        Fail(std::string(what) + ": blockMode " + BlockModeName(e.blockMode) +
             (e.blockMode == BlockMode::BLOCK_MODE_NORMAL ? " (the default)" : "") +
             " is not supported by the copy out of L0C; set enhancedParams.blockMode to BLOCK_MODE_MATRIX (16x16 "
             "fractals) or BLOCK_MODE_VECTOR (the first 1x16 row of each fractal)");
    if (e.padMode != PAD_NONE)
        Fail(std::string(what) + ": padMode " + std::to_string(int(e.padMode)) + " is a reserved field; leave it PAD_NONE");
    const Step st = Decide(dst, src, e, soc, what);
    CheckCubeCore(what, ret);
    if (p.blockCount == 0 || p.blockLen == 0) return;  // nothing moves
    if (p.blockCount > 4095)
        Fail(std::string(what) + ": blockCount " + std::to_string(p.blockCount) + " exceeds 4095");
    const bool matrix = e.blockMode == BlockMode::BLOCK_MODE_MATRIX;
    const uint32_t es = DTypeSize(src.type), ed = DTypeSize(dst.type);
    const uint64_t fracSrc = 256ull * es;                        // bytes of one L0C fractal
    const uint64_t unitElems = matrix ? 256 : 16;                // elements per blockLen unit
    const uint64_t srcStep = (uint64_t(p.blockLen) + p.srcStride) * fracSrc;  // burst to burst in L0C
    const uint64_t dstRun = uint64_t(p.blockLen) * unitElems * ed;           // bytes one burst writes
    const uint64_t dstStep = dstRun + uint64_t(p.dstStride) * 32;
    const uint64_t lastUnit = uint64_t(p.blockCount - 1) * (uint64_t(p.blockLen) + p.srcStride) + p.blockLen - 1;
    const uint64_t srcSpan = lastUnit * fracSrc + unitElems * es;
    const uint64_t dstSpan = uint64_t(p.blockCount - 1) * dstStep + dstRun;
    CheckLocal(src, Mem::L0C, "source (CO1)", srcSpan, what, ret);
    CheckLocal(dst, Mem::UB, "destination (CO2)", dstSpan, what, ret);
    if (Model() != nullptr) {
        ModelCopy(false, false, uint64_t(p.blockCount) * p.blockLen * unitElems * es, nullptr, 0, what, ret);
        for (uint32_t b = 0; b < p.blockCount; ++b) {
            if (matrix)
                ModelAccess(src.addr + b * srcStep, uint64_t(p.blockLen) * fracSrc, false, what, ret, sim::V);
            else
                for (uint32_t u = 0; u < p.blockLen; ++u)
                    ModelAccess(src.addr + b * srcStep + u * fracSrc, 16ull * es, false, what, ret, sim::V);
            ModelAccess(dst.addr + b * dstStep, dstRun, true, what, ret, sim::V);
        }
    }
    for (uint32_t b = 0; b < p.blockCount; ++b) {
        const uint8_t* in = src.addr + b * srcStep;
        uint8_t* out = dst.addr + b * dstStep;
        if (matrix) {
            Move(st, in, out, uint64_t(p.blockLen) * 256);
            continue;
        }
        for (uint32_t u = 0; u < p.blockLen; ++u) Move(st, in + u * fracSrc, out + u * 16ull * ed, 16);
    }
}

}  // namespace rt
}  // namespace opkit
