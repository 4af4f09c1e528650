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
//     so opkit refuses the combination.
//   - Note [DEQ16 and VDEQ16]: int32 -> half with a 64-bit parameter (the doc's table 6, deqValue):
//     bits 0..31 M, a float32 (the doc: "the 32 bits are a float"; 910B's Fixpipe reads only bits
//     31..13, 310P's doc says nothing of a narrower format, so opkit uses all 32); 32..35 N and 36
//     MCB (the shift, below); 47 the ReLU flag; the offset (37..45) and sign (46) are DEQ8's. DEQ16
//     takes the parameter from deqValue; VDEQ16 from a table in UB at deqTensorAddr (a UB address,
//     as LocalTensor::GetPhyAddr gives it, 32-byte aligned): burst b uses the 16 uint64 entries at
//     deqTensorAddr + 128 * b, entry i scaling column i of each 16-wide row of the burst (the doc:
//     "each burst has its own 128-byte vector, whose 16 elements are reused in turn"; the same
//     layout as the per-column table CANN's Matmul copies to UB for VDEQF16 on 310P,
//     quant_processor_datacopy.h). Per element x, with MCB = 0:
//       p = float32(x) * M (each rounded to nearest even: assumption, the doc names no rounding; it
//       is Fixpipe DEQF16's arithmetic, which CANN's Matmul maps to DEQ16 on 310P), ReLU (p < 0 ->
//       +0; the doc: "ReLU on the final result"), then half(p), to nearest even, saturated on 310P
//       (Note [Float saturation]).
//     ReLU: DEQ16 applies it when isRelu is set or bit 47 is (CANN's code ORs isRelu into bit 47 of
//     the register); VDEQ16 when isRelu is set (the doc: the table entries' ReLU flags are ignored).
//     The doc requires isRelu and the flags to agree; a disagreement is an npu_simulator finding.
//     Only on 310P: the doc gives the quantising modes to the Atlas inference AI Core only, and
//     CANN's own 910A quant matmul (ops-nn, matmul/quant_batch_matmul_v3/op_kernel/arch20/
//     pp_matmul_kernel.h) copies int32 out and dequantises with the vector unit instead.
//   - Refused as not implemented, with what the public sources leave open (the L0C-to-UB doc, table
//     6; Fixpipe's 随路量化.md table 1 and its fixpipe_l0c2gm reference scripts, the only executable
//     description of the same bit layout; no public 310P golden exists):
//       * MCB = 1 (shift int32 right by N, become int16, then float): the tables make the shift
//         N + 1 ("b0000 is 1, b1111 is 16"), the 910B scripts shift by N (gen_data_s322s8.py and
//         gen_data_s322f16.py with >>, gen_data_f322s8.py dividing by 2**N), and they disagree on
//         the int16 step (s322s8 saturates to int16, s322f16 clips to the float16 range).
//       * DEQ16/VDEQ16 int32 -> int16 (a shift by N, not by M): the same N / N + 1 question, and
//         neither the rounding of the shift nor the int16 saturation is documented.
//       * DEQ8/VDEQ8 (int32 -> int8/uint8, offset, sign, sidStoreMode): the doc gives p = x * M +
//         offset but neither the rounding to an integer nor where it saturates (910B's scripts clamp
//         p to [-256, 255] before the offset; 310P's doc is silent), and its ReLU rule ("offset must
//         be -128 for int8, 0 for uint8") implies an order of ReLU, offset and clamp it does not give.
//       * VDEQ (16 half scales, 32 bytes at deqTensorAddr): the doc gives the vector's size only, not
//         which element scales which column nor whether later bursts move to the next 32 bytes.
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

enum class Conv : uint8_t { COPY, F32_TO_F16, DEQ_TO_F16, DEQ16_TO_F16 };

// What one element goes through, decided once per instruction.
struct Step {
    Conv conv;
    bool relu;
    bool saturate;  // Note [Float saturation], on computed results only
    double scale;   // DEQ: M
    DType src, dst;
    float m[16];    // DEQ16/VDEQ16: the scale of each of the 16 columns of a row (one burst's, for VDEQ16)
};

uint64_t ReadU64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// Note [DEQ16 and VDEQ16]: the scale M (bits 0..31) of a parameter.
float ParamScale(uint64_t bits) {
    const uint32_t m = uint32_t(bits);
    float f;
    std::memcpy(&f, &m, 4);
    return f;
}

// Why a DEQ16/VDEQ16 parameter cannot be used, or "".
std::string Deq16Refusal(uint64_t bits) {
    if (((bits >> 36) & 1) == 0) return "";
    return "its MCB bit (36) is set (shift the int32 input right by N, to int16, before the multiply), which opkit "
           "does not implement: the documentation's tables make the shift N + 1 (b0000 is 1), the fixpipe_l0c2gm "
           "reference scripts shift by N, and they disagree on the int16 step. Clear bit 36 and scale with M alone";
}

// The checks of Note [CO1 -> CO2 copy] on types and modes: the per-element step, or a failure.
Step Decide(const CubeOperand& dst, const CubeOperand& src, const AscendC::DataCopyEnhancedParams& e,
            const SocInfo& soc, const char* what, const void* ret) {
    const DType s = src.type, d = dst.type;
    const std::string pair = std::string(DTypeName(s)) + " -> " + DTypeName(d);
    Step st{Conv::COPY, e.isRelu, false, 1.0, s, d, {}};
    const DeqScale q = e.deqScale;
    if (q == DeqScale::DEQ8 || q == DeqScale::VDEQ8)
        Fail(std::string(what) + ": deqScale " + DeqName(q) + " (" + pair +
             ") is not implemented by opkit: the documentation gives x * M + offset but neither the rounding to an "
             "integer nor where the result saturates (before or after the offset), and its ReLU rule (offset -128 "
             "for int8, 0 for uint8) implies an order it does not state. Copy int32 out (DEQ_NONE) and quantise "
             "with the vector unit");
    if (q == DeqScale::VDEQ)
        Fail(std::string(what) + ": deqScale VDEQ (" + pair +
             ") is not implemented by opkit: the documentation gives its 32-byte vector of 16 half scales but not "
             "which element scales which column, nor whether later bursts move on to the next 32 bytes. Use VDEQ16 "
             "(uint64 parameters, 16 per burst) or DEQ");
    if ((q == DeqScale::DEQ16 || q == DeqScale::VDEQ16) && s == DType::I32 && d == DType::I16)
        Fail(std::string(what) + ": deqScale " + DeqName(q) +
             " int32 -> int16 is not implemented by opkit: it shifts right by N, which the documentation's table "
             "makes N + 1 (b0000 is 1) and the reference scripts N, and neither the rounding of the shift nor the "
             "int16 saturation is documented. Copy int32 out (DEQ_NONE) and shift with the vector unit");
    if (q == DeqScale::DEQ16 || q == DeqScale::VDEQ16) {  // Note [DEQ16 and VDEQ16]
        if (!(s == DType::I32 && d == DType::F16))
            Fail(std::string(what) + ": deqScale " + DeqName(q) + " converts int32 to float16 (or int16), not " + pair);
        if (soc.arch != 2002)
            Fail(std::string(what) + ": deqScale " + DeqName(q) + " on " + soc.name +
                 ": the documentation gives the quantising copy modes to the 310P AI Core only (CANN's own 910A quant "
                 "matmul copies int32 out and dequantises with the vector unit); do that, or run on Ascend310P");
        st.conv = Conv::DEQ16_TO_F16;
        st.saturate = soc.floatSaturation;
        if (q == DeqScale::DEQ16) {
            const std::string no = Deq16Refusal(e.deqValue);
            if (!no.empty()) Fail(std::string(what) + ": DEQ16 deqValue: " + no);
            const bool bit = ((e.deqValue >> 47) & 1) != 0;
            if (bit && !e.isRelu && Model() != nullptr)
                Finding("co2-deq-relu", std::string(what) + ": DEQ16 deqValue has its ReLU bit (47) set but isRelu is "
                        "false; the documentation requires them to agree (the NPU applies ReLU)", ret);
            st.relu = e.isRelu || bit;
            for (float& m : st.m) m = ParamScale(e.deqValue);
        }
        return st;
    }
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
        Fail(std::string(what) + ": int32 -> float16 needs a deqScale (DEQ or DEQ16 with a scalar, VDEQ16 with a "
             "table, on 310P); this one is DEQ_NONE");
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

// VDEQ16 (Note [DEQ16 and VDEQ16]): checks the table at deqTensorAddr for `bursts` bursts and
// returns where it is in UB.
const uint8_t* VdeqTable(const AscendC::DataCopyEnhancedParams& e, uint32_t bursts, const char* what,
                         const void* ret) {
    const uint64_t ub = MemSize(Mem::UB), bytes = uint64_t(bursts) * 128;
    if (e.deqTensorAddr % 32 != 0)
        Fail(std::string(what) + ": VDEQ16 deqTensorAddr " + std::to_string(e.deqTensorAddr) +
             " is not 32-byte aligned (the documentation requires it); pass LocalTensor::GetPhyAddr() of a UB buffer");
    if (e.deqTensorAddr + bytes > ub)
        Fail(std::string(what) + ": VDEQ16 reads " + std::to_string(bytes) + " bytes of parameters (128 per burst, " +
             std::to_string(bursts) + " bursts) at deqTensorAddr " + std::to_string(e.deqTensorAddr) +
             ", past the end of UB (" + std::to_string(ub) + " bytes)");
    const uint8_t* table = MemBase(Mem::UB) + e.deqTensorAddr;
    if (Model() != nullptr) ModelAccess(table, bytes, false, what, ret, sim::V);
    for (uint32_t i = 0; i < bursts * 16; ++i) {
        const uint64_t bits = ReadU64(table + i * 8ull);
        const std::string no = Deq16Refusal(bits);
        if (!no.empty()) Fail(std::string(what) + ": VDEQ16 parameter " + std::to_string(i) + ": " + no);
        if ((((bits >> 47) & 1) != 0) != e.isRelu && Model() != nullptr) {
            Finding("co2-deq-relu", std::string(what) + ": VDEQ16 parameter " + std::to_string(i) +
                    " has its ReLU bit (47) " + (e.isRelu ? "clear" : "set") + " but isRelu is " +
                    (e.isRelu ? "true" : "false") + "; the documentation requires them to agree (the NPU follows isRelu)",
                    ret);
            break;  // one finding per instruction
        }
    }
    return table;
}

float Relu(float v) { return v < 0 ? 0.0f : v; }  // NaN stays NaN

// `n` elements from `in` (source type) to `out` (destination type); in and out never overlap (L0C, UB).
void Move(const Step& st, const uint8_t* in, uint8_t* out, uint64_t n) {
    const uint32_t es = DTypeSize(st.src), ed = DTypeSize(st.dst);
    if (st.conv == Conv::COPY && !st.relu) {
        std::memcpy(out, in, n * es);
        return;
    }
    if (st.conv == Conv::DEQ16_TO_F16) {  // Note [DEQ16 and VDEQ16]: column i % 16 of each row
        for (uint64_t i = 0; i < n; ++i) {
            int32_t x;
            std::memcpy(&x, in + i * 4, 4);
            float p = float(x) * st.m[i % 16];
            if (st.relu && p < 0) p = 0.0f;
            const half h(p);
            std::memcpy(out + i * 2, &h, 2);
        }
        if (st.saturate) SaturateFloats(st.dst, out, int64_t(n));
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
    Step st = Decide(dst, src, e, soc, what, ret);
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
    // VDEQ16: 128 bytes of parameters per burst, read with the burst (cost: as many bytes copied).
    const bool vdeq16 = e.deqScale == DeqScale::VDEQ16;
    const uint8_t* table = vdeq16 ? VdeqTable(e, p.blockCount, what, ret) : nullptr;
    if (Model() != nullptr) {
        ModelCopy(false, false, uint64_t(p.blockCount) * p.blockLen * unitElems * es + (vdeq16 ? p.blockCount * 128ull : 0),
                  nullptr, 0, what, ret);
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
        if (table != nullptr)
            for (uint32_t i = 0; i < 16; ++i) st.m[i] = ParamScale(ReadU64(table + (uint64_t(b) * 16 + i) * 8));
        if (matrix) {
            Move(st, in, out, uint64_t(p.blockLen) * 256);
            continue;
        }
        for (uint32_t u = 0; u < p.blockLen; ++u) Move(st, in + u * fracSrc, out + u * 16ull * ed, 16);
    }
}

}  // namespace rt
}  // namespace opkit
