// opkit: the cube's way out on 910B-class SoCs: Fixpipe, L0C (CO1) -> GM with the NZ -> ND
// conversion (CFG_ROW_MAJOR) or keeping NZ (CFG_NZ, Note [Fixpipe NZ output]) and, on the way, ReLU, the float32 -> float16/bfloat16 casts and the quantising modes
// (pipe FIX). Layouts: Note [Cube layouts] in cube.cpp.
//
// Note [Fixpipe quantisation]: the facts, from the asc-devkit docs (L0C到GM数据搬运（Fixpipe）.md,
// 随路量化.md, 随路量化与随路ReLU场景组合.md and the fixpipe_l0c2gm sample's reference scripts) and
// CANN's arch 2201 implementation (impl/basic_api/dav_c220/kernel_operator_fixpipe_v2_impl.h), read
// for facts only; the words and code here are ours.
//   - Modes and types (910B): NoQuant float32 -> float32 and int32 -> int32; F322F16 / F322BF16
//     float32 -> float16 / bfloat16 (round to nearest even); DEQF16 / VDEQF16 int32 -> float16;
//     QF322B8_PRE / VQF322B8_PRE float32 -> int8 / uint8; REQ8 / VREQ8 int32 -> int8 / uint8.
//   - The quantisation parameter is 64 bits: the scalar modes take FixpipeParamsV220::deqScalar,
//     the vector ("V") modes one uint64_t per output column j, in an L1 (C1) tensor passed as the
//     cbufWorkspace argument (32-byte aligned). CANN's Fixpipe copies that table to the fixpipe buffer
//     itself, 256 columns at a time (128 when nSize > 256), each piece followed by its own FIX
//     instruction. The V modes without the table use whatever the buffer last held, and the table
//     overload with any other mode issues nothing, so opkit refuses both.
//   - Bits of a parameter: [31:13] M1, a float32 whose low 13 mantissa bits are dropped (sign, 8
//     exponent, 10 mantissa bits); [35:32] N and [36] MCB (a right shift of int32 inputs before the
//     multiply); [45:37] the offset; [46] sign (1: the result is int8, 0: uint8); [63:47] unused.
//   - Arithmetic per element x (int32 inputs first become float32, rounded to nearest even):
//       p = x * M1, or with reluEn and x < 0, x * M2 with M2 = 0 (ReLU); without reluEn M2 = M1.
//       (V)DEQF16: p rounded to float16 (nearest even); the offset and sign bits are not used.
//       (V)QF322B8_PRE, (V)REQ8: p clamped to [-256, 255] and rounded to an integer (nearest even),
//       plus the offset, then clamped to [-128, 127] (sign 1) or [0, 255] (sign 0).
//     Assumptions, where the documentation leaves a gap:
//       * the product is a float32 multiply (rounded to nearest even), as the reference scripts
//         compute it; the docs say only that M1 has a (1, 8, 10) format.
//       * the offset is a 9-bit two's-complement integer in [-256, 255]. The doc calls it a "9-bit
//         integer" and the reference scripts read it unsigned; CANN's quant matmul tests build it
//         as clip(offset, -256, 255) & 0x1FF, which only a signed reading undoes.
//       * a NaN input gives 0 in the integer modes (integers saturate; the doc's saturation mode
//         maps NaN to 0). float16 overflow follows the SoC's float mode as F322F16 does (910B:
//         inf, the non-saturating mode opkit models; the scripts clip, i.e. the saturating mode).
//       * ReLU gives +0 for negative inputs (x * 0 would be -0 for float16).
//     MCB = 1 is refused as not implemented. What the public sources say of it, and where they part:
//       * 随路量化.md table 1 (arch 2201): N is 4 bits "in [1, 16], b0000 is 1, b1111 is 16", so the
//         shift is N + 1; MCB = 1 shifts the int32 input right by N "and makes it int16" before the
//         float conversion; MCB and N are unused in (V)QF322B8_PRE. The 310P copy's table
//         (L0C到UB数据搬运（DataCopy）.md, table 6) has the same words; the arch 3510 table marks bits
//         32..36 unused.
//       * the fixpipe_l0c2gm reference scripts read N as the 4-bit field itself and do three
//         different things with it: gen_data_s322s8.py (REQ8) shifts by N and saturates to int16,
//         gen_data_s322f16.py (DEQF16) shifts by N and clips to the float16 range, and
//         gen_data_f322s8.py (QF322B8_PRE, where the doc calls MCB unused) divides by 2**N and rounds
//         to int16.
//     No public golden or hardware description settles the shift count or the int16 step, so
//     opkit does not guess. The NPU does not check the sign bit against the destination type, nor that
//     M1 is finite and normal (the doc forbids inf/NaN/denormal parameters): npu_simulator findings.
//   - Under SetAtomicAdd/Max/Min only the non-quantising modes are implemented.
//
// Note [Fixpipe NZ output]: with CFG_NZ (NZ2NZ) the result keeps the fractal layout (facts from the
// asc-devkit docs, L0C到GM数据搬运（Fixpipe）.md, NZ2NZ.md and F32-Channel-Split.md, and the shape of
// CANN's arch 2201 implementation; our words). On 910B-class SoCs:
//   - the destination is a column of fractals per 16 output columns: row j of fractal column b holds
//     columns 16b .. 16b+15 of row j, 16 elements of the destination type, contiguous; fractal column
//     b starts dstStride * 32 bytes after column b - 1 (FixpipeParamsV220's unit is the 32-byte block,
//     Arch3510's, not modelled, the element). The rows of one fractal column are contiguous: mSize rows
//     (not rounded up to 16). nSize must be a multiple of 16; mSize is at most 65535 (8192 is the
//     NZ2ND limit); ndNum, srcNdStride and dstNdStride belong to NZ2ND and are not used, except that
//     ndNum = 0 still makes the instruction a no-op, as the docs say of every mode.
//   - quantPre and reluEn act on each element as in NZ2ND (Note [Fixpipe quantisation]); a V mode's
//     column c still takes parameter c.
//   - isChannelSplit (float32 -> float32, NoQuant only, not with unitFlag) splits each 16x16 fractal
//     into two 16x8 ones: the same as above with 8 columns per fractal column, nSize a multiple of 8.
//   - the destination should be 32-byte aligned (an npu_simulator finding, fixpipe-align); a dstStride
//     smaller than one fractal column (mSize * 16 elements) overlaps them (fixpipe-stride).
//   - cost and unit flags (Note [UnitFlag] in cube_mmad.cpp) are as for NZ2ND: the same elements leave
//     L0C and the same fractals are read.
#include "cube_internal.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace opkit {
namespace rt {

using namespace cube;

namespace {

// The value an atomic write of `v` leaves at `out` (Note [Atomic GM writes]): the sum, max or min
// with the old value, computed in float32 and rounded to the destination type once by the caller.
float AtomicCombine(AtomicOp op, DType t, const uint8_t* out, float v) {
    float old;
    if (t == DType::F32) {
        std::memcpy(&old, out, 4);
    } else if (t == DType::F16) {
        half h;
        std::memcpy(&h, out, 2);
        old = float(h);
    } else {
        bfloat16_t h;
        std::memcpy(&h, out, 2);
        old = float(h);
    }
    return op == AtomicOp::ADD ? old + v : (op == AtomicOp::MAX ? std::max(old, v) : std::min(old, v));
}

// One destination row of Fixpipe NZ2ND: n elements gathered 16 at a time from L0C column blocks
// `blockStride` bytes apart, with ReLU and the cast (round to nearest even) on the way.
template <typename In, typename Out>
void FixRow(const uint8_t* src, uint64_t blockStride, uint8_t* dst, uint32_t n, bool relu) {
    In v[16];
    Out o[16];
    for (uint32_t c = 0; c < n; c += 16, src += blockStride, dst += 16 * sizeof(Out)) {
        const uint32_t len = std::min(16u, n - c);
        std::memcpy(v, src, len * sizeof(In));
        if (relu)
            for (uint32_t t = 0; t < len; ++t) v[t] = v[t] < 0 ? In(0) : v[t];  // NaN stays NaN
        if constexpr (std::is_same<In, Out>::value) {
            std::memcpy(dst, v, len * sizeof(Out));
            continue;
        }
#if defined(__F16C__)
        if constexpr (std::is_same<Out, half>::value) {  // vcvtps2ph rounds (and quiets NaNs) as FloatToHalfBits does
            if (len == 16) {
                for (int h = 0; h < 2; ++h)
                    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst) + h,
                                     _mm256_cvtps_ph(_mm256_loadu_ps(v + 8 * h), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
                continue;
            }
        }
#endif
        for (uint32_t t = 0; t < len; ++t) o[t] = Out(v[t]);
        std::memcpy(dst, o, len * sizeof(Out));
    }
}


const char* QuantName(QuantMode_t q) {
    static const char* names[] = {"NoQuant", "F322F16",      "F322BF16", "DEQF16", "VDEQF16",
                                  "QF322B8_PRE", "VQF322B8_PRE", "REQ8",     "VREQ8"};
    return uint8_t(q) <= uint8_t(VREQ8) ? names[uint8_t(q)] : "?";
}
bool IsVectorQuant(QuantMode_t q) { return q == VDEQF16 || q == VQF322B8_PRE || q == VREQ8; }
bool IsQuantising(QuantMode_t q) { return q >= DEQF16 && q <= VREQ8; }

// The source -> destination types a mode converts (Note [Fixpipe quantisation]).
bool ModeFits(QuantMode_t q, DType s, DType d) {
    switch (q) {
        case NoQuant: return s == d && (s == DType::F32 || s == DType::I32);
        case F322F16: return s == DType::F32 && d == DType::F16;
        case F322BF16: return s == DType::F32 && d == DType::BF16;
        case DEQF16:
        case VDEQF16: return s == DType::I32 && d == DType::F16;
        case QF322B8_PRE:
        case VQF322B8_PRE: return s == DType::F32 && (d == DType::I8 || d == DType::U8);
        case REQ8:
        case VREQ8: return s == DType::I32 && (d == DType::I8 || d == DType::U8);
        default: return false;
    }
}

// One decoded quantisation parameter (Note [Fixpipe quantisation]).
struct Quant {
    float m1;
    int32_t offset;  // 9-bit two's complement
    bool sign;       // int8 (true) or uint8 (false) result
};

Quant Decode(uint64_t bits) {
    const uint32_t m = uint32_t(bits) & 0xFFFFE000u;  // [31:13]; the low 13 mantissa bits are not used
    Quant q;
    std::memcpy(&q.m1, &m, 4);
    const int32_t off = int32_t((bits >> 37) & 0x1FF);
    q.offset = off >= 256 ? off - 512 : off;
    q.sign = ((bits >> 46) & 1) != 0;
    return q;
}

// Why a parameter cannot be used as the NPU would (MCB set: refused), or "" when it can.
std::string Refusal(uint64_t bits) {
    if (((bits >> 36) & 1) == 0) return "";
    return "its MCB bit (36) is set (shift the int32 input right by N, to int16, first), which opkit does not "
           "implement: the documentation's table (随路量化.md) shifts by N + 1 (b0000 is 1), the fixpipe_l0c2gm "
           "reference scripts by N, and the scripts disagree on the int16 step. Clear bits 32..36 (a negative scale "
           "cast to uint64_t through int32_t sets them: build the parameter from uint32_t bits)";
}

// What the NPU does not check about a parameter (findings), or "".
std::string Doubt(uint64_t bits, QuantMode_t q, DType dst) {
    const uint32_t exp = (uint32_t(bits) >> 23) & 0xFF, man = (uint32_t(bits) >> 13) & 0x3FF;
    if (exp == 0xFF) return "its scale M1 (bits 31..13) is inf or NaN, which the documentation forbids";
    if (exp == 0 && man != 0) return "its scale M1 (bits 31..13) is a denormal, which the documentation forbids";
    if (q == DEQF16 || q == VDEQF16) return "";
    const bool sign = ((bits >> 46) & 1) != 0;
    if (sign != (dst == DType::I8))
        return std::string("its sign bit (46) is ") + (sign ? "1 (int8 results)" : "0 (uint8 results)") +
               " but the destination is " + DTypeName(dst) + "; the NPU saturates to the range the bit names";
    return "";
}

// The integer modes: x times the scale, clamped to [-256, 255], rounded, plus the offset, clamped
// to the 8-bit range the sign bit names; the byte written.
uint8_t ToB8(float x, const Quant& q, bool relu) {
    if (std::isnan(x)) x = 0;
    const float p = relu && x < 0 ? 0.0f : x * q.m1;  // float32 multiply (assumption)
    int32_t r = int32_t(std::nearbyint(std::min(255.0f, std::max(-256.0f, p)))) + q.offset;
    r = q.sign ? std::min(127, std::max(-128, r)) : std::min(255, std::max(0, r));
    return uint8_t(r);
}

// (V)DEQF16: x times the scale, rounded once to float16.
half ToDeqF16(int32_t x, const Quant& q, bool relu) {
    if (relu && x < 0) return half(0.0f);
    return half(float(x) * q.m1);
}

// One destination row of the quantising modes: n elements, column c with parameter quant[c].
void QuantRow(QuantMode_t mode, const uint8_t* src, uint64_t blockStride, uint8_t* dst, uint32_t n, bool relu,
              const Quant* quant, bool vector) {
    for (uint32_t c = 0; c < n; ++c) {
        const uint8_t* in = src + (c / 16) * blockStride + (c % 16) * 4;
        const Quant& q = quant[vector ? c : 0];
        if (mode == DEQF16 || mode == VDEQF16) {
            int32_t v;
            std::memcpy(&v, in, 4);
            const half h = ToDeqF16(v, q, relu);
            std::memcpy(dst + c * 2, &h, 2);
            continue;
        }
        float v;
        if (mode == REQ8 || mode == VREQ8) {
            int32_t i;
            std::memcpy(&i, in, 4);
            v = float(i);  // round to nearest even
        } else {
            std::memcpy(&v, in, 4);
        }
        dst[c] = ToB8(v, q, relu);
    }
}

}  // namespace

// ---- L0C -> GM (Fixpipe, NZ2ND and NZ2NZ) --------------------------------------------------------
namespace {

// The checks on the mode, the types and the quantisation parameters; the decoded parameters (one,
// or one per column for the V modes).
std::vector<Quant> CheckMode(const CubeOperand& dst, const CubeOperand& src, const AscendC::FixpipeParamsV220& p,
                             const CubeOperand* table, const char* what, const void* ret) {
    const QuantMode_t q = p.quantPre;
    if (uint8_t(q) > uint8_t(VREQ8))
        Fail(std::string(what) + ": quantPre " + std::to_string(int(q)) + " is not a QuantMode_t of " + CoreSoc().name +
             " (NoQuant .. VREQ8)");
    if (!ModeFits(q, src.type, dst.type))
        Fail(std::string(what) + ": quantPre " + QuantName(q) + " does not convert " + DTypeName(src.type) + " -> " +
             DTypeName(dst.type) +
             " (float32 -> float32 and int32 -> int32: NoQuant; float32 -> float16: F322F16; float32 -> bfloat16: "
             "F322BF16; int32 -> float16: DEQF16/VDEQF16; float32 -> int8/uint8: QF322B8_PRE/VQF322B8_PRE; int32 -> "
             "int8/uint8: REQ8/VREQ8)");
    const bool vec = IsVectorQuant(q);
    if (vec && table == nullptr)
        Fail(std::string(what) + ": quantPre " + QuantName(q) +
             " scales each column by its own parameter: pass them with the Fixpipe overload that takes the "
             "cbufWorkspace tensor (LocalTensor<uint64_t> in C1, one entry per column)");
    if (!vec && table != nullptr)
        Fail(std::string(what) + ": the cbufWorkspace overload with quantPre " + QuantName(q) +
             " moves nothing on the NPU (CANN issues it only for VDEQF16, VQF322B8_PRE and VREQ8); use the overload "
             "without cbufWorkspace" + (IsQuantising(q) ? " and set deqScalar" : ""));
    if (!IsQuantising(q)) return {};
    if (Core().atomicOp != AtomicOp::NONE)
        Fail(std::string(what) + ": quantPre " + QuantName(q) +
             " under SetAtomicAdd/Max/Min is not implemented by opkit (atomic writes: NoQuant, F322F16, F322BF16)");
    std::vector<uint64_t> bits;
    if (vec) {
        if (table->mem != Mem::L1)
            Fail(std::string(what) + ": the cbufWorkspace tensor must be in C1 (L1), this one is in " + WhereName(*table));
        if (table->type != DType::U64)
            Fail(std::string(what) + ": the cbufWorkspace tensor holds uint64_t parameters, not " + DTypeName(table->type));
        if (uint64_t(table->addr - MemBase(Mem::L1)) % 32 != 0)
            Fail(std::string(what) + ": the cbufWorkspace tensor starts at L1 offset " +
                 std::to_string(table->addr - MemBase(Mem::L1)) + ", not a multiple of 32 bytes");
        if (p.nSize == 0) return {};
        CheckLocal(*table, Mem::L1, "cbufWorkspace (C1)", uint64_t(p.nSize) * 8, what, ret);
        bits.resize(p.nSize);
        std::memcpy(bits.data(), table->addr, bits.size() * 8);
    } else {
        bits.push_back(p.deqScalar);
    }
    std::vector<Quant> out;
    out.reserve(bits.size());
    bool doubted = false;
    for (size_t c = 0; c < bits.size(); ++c) {
        const std::string where = vec ? "cbufWorkspace[" + std::to_string(c) + "]" : std::string("deqScalar");
        const std::string no = Refusal(bits[c]);
        if (!no.empty()) Fail(std::string(what) + ": " + QuantName(q) + " parameter " + where + ": " + no);
        if (Model() != nullptr && !doubted) {
            const std::string doubt = Doubt(bits[c], q, dst.type);
            if (!doubt.empty()) {
                Finding("fixpipe-quant", std::string(what) + ": " + QuantName(q) + " parameter " + where + ": " + doubt, ret);
                doubted = true;  // one finding per instruction
            }
        }
        out.push_back(Decode(bits[c]));
    }
    return out;
}

}  // namespace

void CubeFixpipe(const CubeOperand& dst, const CubeOperand& src, const AscendC::FixpipeParamsV220& p,
                 AscendC::CO2Layout layout, const CubeOperand* table) {
    const char* what = "Fixpipe(L0C->GM)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!Is910B(soc))
        Fail(std::string("Fixpipe does not exist on ") + soc.name +
             " (it is the FIX pipe of 910B-class SoCs, arch 2201); on 910A and 310P the results leave L0C through UB "
             "(DataCopy CO1 -> CO2 with DataCopyEnhancedParams)");
    if (layout == AscendC::CO2Layout::COLUMN_MAJOR)
        Fail(std::string("Fixpipe: CFG_COLUMN_MAJOR (NZ2DN) does not exist on ") + soc.name +
             " (the documentation gives it to Ascend 950 only); use CFG_ROW_MAJOR (NZ2ND) or CFG_NZ");
    if (!IsGm(dst)) Fail(std::string("Fixpipe: opkit implements L0C -> GM only; this destination is in ") + WhereName(dst));
    const bool nz = layout == AscendC::CO2Layout::NZ;  // Note [Fixpipe NZ output]
    if (p.isChannelSplit && !nz) Fail("Fixpipe: isChannelSplit cannot be combined with NZ2ND (CFG_ROW_MAJOR); use CFG_NZ");
    if (p.isChannelSplit && (src.type != DType::F32 || dst.type != DType::F32 || p.quantPre != NoQuant))
        Fail(std::string("Fixpipe: isChannelSplit needs a float32 source and a float32 destination with quantPre NoQuant; "
                         "this is ") + DTypeName(src.type) + " -> " + DTypeName(dst.type) + " with " + QuantName(p.quantPre));
    if (p.isChannelSplit && p.unitFlag != 0)
        Fail("Fixpipe: isChannelSplit cannot be combined with unitFlag " + std::to_string(p.unitFlag) +
             " (the documentation forbids it); set unitFlag to 0 and synchronise M -> FIX with flags");
    const std::vector<Quant> quant = CheckMode(dst, src, p, table, what, ret);
    CheckCubeCore(what, ret);
    if (p.ndNum == 0 || p.mSize == 0 || p.nSize == 0) return;  // a no-op on the NPU
    const uint32_t w = p.isChannelSplit ? 8 : 16;  // NZ: columns per destination fractal
    if (p.nSize > 4095 || (!nz && p.mSize > 8192) || p.dstStride == 0 || (nz && p.nSize % w != 0))
        Fail("Fixpipe: nSize " + std::to_string(p.nSize) + " (at most 4095" +
             (nz ? std::string(", a multiple of ") + std::to_string(w) + " with CFG_NZ" + (p.isChannelSplit ? " and isChannelSplit" : "")
                 : std::string()) +
             "), mSize " + std::to_string(p.mSize) + (nz ? "" : " (at most 8192 with NZ2ND)") + ", dstStride " +
             std::to_string(p.dstStride) + " (not 0): out of range");
    const uint32_t es = DTypeSize(src.type), ed = DTypeSize(dst.type);
    const uint32_t nd = nz ? 1 : p.ndNum;  // CFG_NZ moves one matrix: ndNum and its strides are not used
    const uint64_t nzBlockBytes = uint64_t(p.mSize) * w * ed;  // one destination fractal column with CFG_NZ
    if (Model() != nullptr && (p.srcStride < p.mSize || (nz ? uint64_t(p.dstStride) * 32 < nzBlockBytes : p.dstStride < p.nSize)))
        Finding("fixpipe-stride",
                "Fixpipe: srcStride " + std::to_string(p.srcStride) + " rows is less than mSize " + std::to_string(p.mSize) +
                    (nz ? " or dstStride " + std::to_string(p.dstStride) + " (32-byte blocks) is less than the " +
                              std::to_string(nzBlockBytes) + " bytes of one destination fractal column (mSize * " +
                              std::to_string(w) + " elements)"
                        : " or dstStride " + std::to_string(p.dstStride) + " elements is less than nSize " + std::to_string(p.nSize)) +
                    ": source column blocks or destination " + (nz ? "fractals" : "rows") +
                    " overlap (srcStride is normally mSize rounded up to 16)",
                ret);
    if (nz && Model() != nullptr && reinterpret_cast<uintptr_t>(dst.addr) % 32 != 0)
        Finding("fixpipe-align", "Fixpipe: the CFG_NZ destination is not 32-byte aligned (the documentation requires it)", ret);
    const uint64_t nBlocks = CeilDiv(p.nSize, 16);
    const uint64_t dBlocks = CeilDiv(p.nSize, w);  // NZ: destination fractal columns
    const uint64_t srcSpan = (uint64_t(nd - 1) * p.srcNdStride * 256 + (nBlocks - 1) * p.srcStride * 16 + uint64_t(p.mSize) * 16) * es;
    const uint64_t dstSpan = nz ? (dBlocks - 1) * p.dstStride * 32 + nzBlockBytes
                                : (uint64_t(nd - 1) * p.dstNdStride + uint64_t(p.mSize - 1) * p.dstStride + p.nSize) * ed;
    CheckLocal(src, Mem::L0C, "source (CO1)", srcSpan, what, ret);
    CheckGlobal(dst, dstSpan, what, ret);
    sim::CoreModel::Units units;
    // Note [UnitFlag]: a Fixpipe takes the flags of the whole 16-row fractals it reads from, as the Mmad
    // that wrote them set them (the docs do not say how a read of mSize rows, not a multiple of 16,
    // treats the unit it reads part of; CANN's Matmul reads tail blocks out with unit flags on).
    const uint64_t unitSpan =
        (uint64_t(nd - 1) * p.srcNdStride * 256 + (nBlocks - 1) * p.srcStride * 16 + CeilDiv(p.mSize, 16) * 256) * es;
    const bool unitFlags = UseUnitFlags(what, false, p.unitFlag, src.addr, std::min(unitSpan, std::max(srcSpan, unitSpan)), units);
    if (auto* m = Model()) {
        if (unitFlags) m->Synced(sim::M, sim::FIX, Core().unitMmadSeq);  // the unit flags order the read
        // The V modes: CANN's Fixpipe moves the table to the fixpipe buffer and issues one FIX
        // instruction per piece of 256 columns (128 when nSize > 256); each table copy is costed like a
        // Fixpipe of its entries (assumption: no public rate for L1 -> FB).
        const uint32_t piece = table == nullptr ? p.nSize : (p.nSize <= 256 ? 256u : 128u);
        for (uint32_t c0 = 0; c0 < p.nSize; c0 += piece) {
            const uint32_t cols = std::min<uint32_t>(piece, p.nSize - c0);
            if (table != nullptr) {
                const uint64_t tableBytes = CeilDiv(uint64_t(cols) * 8, 128) * 128;
                m->Fixpipe("Fixpipe: quantisation table L1->FB", cols, tableBytes, false);
                ModelAccess(table->addr + uint64_t(c0) * 8, uint64_t(cols) * 8, false, what, ret, sim::FIX);
            }
            const uint64_t elems = uint64_t(nd) * p.mSize * cols;
            m->Fixpipe(what, elems, elems * ed, true, unitFlags ? &units : nullptr);
        }
        for (uint32_t i = 0; i < nd; ++i)
            for (uint32_t b = 0; b < nBlocks; ++b)
                ModelAccess(src.addr + (uint64_t(i) * p.srcNdStride * 256 + b * p.srcStride * 16) * es,
                            uint64_t(p.mSize) * 16 * es, false, what, ret, sim::FIX);
        CoreState& core = Core();
        for (uint32_t b = 0; nz && core.atomicOp == AtomicOp::NONE && b < dBlocks; ++b)  // atomic writes do not race
            core.launch->RecordGmWrite(core.blockIdx, dst.addr + b * p.dstStride * 32, nzBlockBytes, ret);
        for (uint32_t i = 0; !nz && core.atomicOp == AtomicOp::NONE && i < nd; ++i)
            for (uint32_t j = 0; j < p.mSize; ++j)
                core.launch->RecordGmWrite(core.blockIdx, dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride) * ed,
                                           uint64_t(p.nSize) * ed, ret);
    }
    const uint64_t blockStride = uint64_t(p.srcStride) * 16 * es;  // bytes between L0C column blocks
    // CFG_NZ: row j of destination fractal column b comes from columns b*w .. b*w+w-1 of source row j.
    auto nzSrc = [&](uint32_t j, uint32_t b) {
        const uint32_t col = b * w;
        return src.addr + (uint64_t(col / 16) * p.srcStride * 16 + uint64_t(j) * 16 + col % 16) * es;
    };
    auto nzDst = [&](uint32_t j, uint32_t b) { return dst.addr + uint64_t(b) * p.dstStride * 32 + uint64_t(j) * w * ed; };
    if (nz && IsQuantising(p.quantPre)) {
        for (uint32_t b = 0; b < dBlocks; ++b)
            for (uint32_t j = 0; j < p.mSize; ++j)
                QuantRow(p.quantPre, nzSrc(j, b), blockStride, nzDst(j, b), w, p.reluEn,
                         quant.data() + (table != nullptr ? b * w : 0), table != nullptr);
        return;
    }
    if (IsQuantising(p.quantPre)) {
        for (uint32_t i = 0; i < p.ndNum; ++i)
            for (uint32_t j = 0; j < p.mSize; ++j)
                QuantRow(p.quantPre, src.addr + (uint64_t(i) * p.srcNdStride * 256 + j * 16) * es, blockStride,
                         dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride) * ed, p.nSize, p.reluEn,
                         quant.data(), table != nullptr);
        return;
    }
    const AtomicOp atomic = Core().atomicOp;
    if (atomic == AtomicOp::NONE) {
        auto* row = src.type == DType::I32 ? FixRow<int32_t, int32_t>
                    : dst.type == DType::F32 ? FixRow<float, float>
                    : dst.type == DType::F16 ? FixRow<float, half> : FixRow<float, bfloat16_t>;
        if (nz) {
            for (uint32_t b = 0; b < dBlocks; ++b)
                for (uint32_t j = 0; j < p.mSize; ++j) row(nzSrc(j, b), blockStride, nzDst(j, b), w, p.reluEn);
            return;
        }
        for (uint32_t i = 0; i < p.ndNum; ++i)
            for (uint32_t j = 0; j < p.mSize; ++j)
                row(src.addr + (uint64_t(i) * p.srcNdStride * 256 + j * 16) * es, blockStride,
                    dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride) * ed, p.nSize, p.reluEn);
        return;
    }
    if (Core().atomicType != dst.type)
        Fail(std::string("Fixpipe: the atomic mode was set for ") + DTypeName(Core().atomicType) +
             " but the destination is " + DTypeName(dst.type) + "; call SetAtomicAdd<T>() with the output type");
    for (uint32_t i = 0; i < nd; ++i)
        for (uint32_t j = 0; j < p.mSize; ++j)
            for (uint32_t col = 0; col < p.nSize; ++col) {
                const uint8_t* in = src.addr + (uint64_t(i) * p.srcNdStride * 256 + (col / 16) * uint64_t(p.srcStride) * 16 + j * 16 + col % 16) * es;
                uint8_t* out = nz ? nzDst(j, col / w) + (col % w) * ed
                                  : dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride + col) * ed;
                if (src.type == DType::I32) {
                    int32_t v;
                    std::memcpy(&v, in, 4);
                    if (p.reluEn && v < 0) v = 0;
                    if (atomic != AtomicOp::NONE) {
                        int32_t o;
                        std::memcpy(&o, out, 4);
                        v = atomic == AtomicOp::ADD ? int32_t(uint32_t(o) + uint32_t(v))
                                                    : (atomic == AtomicOp::MAX ? std::max(o, v) : std::min(o, v));
                    }
                    std::memcpy(out, &v, 4);
                    continue;
                }
                float v;
                std::memcpy(&v, in, 4);
                if (p.reluEn && v < 0) v = 0;  // NaN stays NaN
                if (atomic != AtomicOp::NONE) v = AtomicCombine(atomic, dst.type, out, v);
                if (dst.type == DType::F32) std::memcpy(out, &v, 4);
                else if (dst.type == DType::F16) { half h(v); std::memcpy(out, &h, 2); }
                else { bfloat16_t h(v); std::memcpy(out, &h, 2); }
            }
}

}  // namespace rt
}  // namespace opkit
