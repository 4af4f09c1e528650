// opkit: Cast with every RoundMode, and Compare/Select (the reductions are in vec_reduce.cpp).
//
// Note [910B Cast table]: the NPU converts only certain (src, dst) pairs, each with its own round
// modes (Ascend C Cast reference, 910B table; the c220 implementation asserts on the rest):
//   exact, CAST_NONE only:  f16->f32, bf16->f32, i16->f32, i8->f16, u8->f16, i32->i16, i32->i64, i64->i32
//   NONE (= RINT) allowed:  f16->i8, f16->u8, i16->f16, i32->f32, f32->f16 (also CAST_ODD, the only one)
//   NONE not allowed:       f16->i16, f16->i32, bf16->i32, f32->i16, f32->i32, f32->i64, f32->bf16,
//                           f32->f32 (rounds to an integral value), i64->f32
//   i32->f16 is a dequantisation (scaled by SetDeqScale), which opkit does not model.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__AVX__) || defined(__SSE2__)
#include <immintrin.h>
#endif

#include "opkit/rt/api.h"
#include "vec_internal.h"
#include "core_state.h"

namespace opkit {
namespace rt {
namespace {

using AscendC::RoundMode;

// Generic Cast values travel as long double: its 64-bit significand holds every source value
// exactly (int64 and uint64 included), so the destination rounding is the only rounding.
using Wide = long double;

Wide Load(DType t, const void* p, int64_t i) {
    switch (t) {
        case DType::F16: return HalfBitsToFloat(static_cast<const uint16_t*>(p)[i]);
        case DType::BF16: return Bf16BitsToFloat(static_cast<const uint16_t*>(p)[i]);
        case DType::F32: return static_cast<const float*>(p)[i];
        case DType::F64: return static_cast<const double*>(p)[i];
        case DType::I8: return static_cast<const int8_t*>(p)[i];
        case DType::U8: return static_cast<const uint8_t*>(p)[i];
        case DType::BOOL: return static_cast<const uint8_t*>(p)[i] != 0;
        case DType::I16: return static_cast<const int16_t*>(p)[i];
        case DType::U16: return static_cast<const uint16_t*>(p)[i];
        case DType::I32: return static_cast<const int32_t*>(p)[i];
        case DType::U32: return static_cast<const uint32_t*>(p)[i];
        case DType::I64: return static_cast<Wide>(static_cast<const int64_t*>(p)[i]);
        case DType::U64: return static_cast<Wide>(static_cast<const uint64_t*>(p)[i]);
    }
    return 0;
}

// `v` is already representable in t (RoundWide ran first).
void Store(DType t, void* p, int64_t i, Wide v) {
    switch (t) {
        case DType::F16: static_cast<uint16_t*>(p)[i] = FloatToHalfBits(static_cast<float>(v)); break;
        case DType::BF16: static_cast<uint16_t*>(p)[i] = FloatToBf16Bits(static_cast<float>(v)); break;
        case DType::F32: static_cast<float*>(p)[i] = static_cast<float>(v); break;
        case DType::F64: static_cast<double*>(p)[i] = static_cast<double>(v); break;
        case DType::I8: static_cast<int8_t*>(p)[i] = static_cast<int8_t>(v); break;
        case DType::U8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v); break;
        case DType::BOOL: static_cast<uint8_t*>(p)[i] = v != 0; break;
        case DType::I16: static_cast<int16_t*>(p)[i] = static_cast<int16_t>(v); break;
        case DType::U16: static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(v); break;
        case DType::I32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); break;
        case DType::U32: static_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(v); break;
        case DType::I64: static_cast<int64_t*>(p)[i] = static_cast<int64_t>(v); break;
        case DType::U64: static_cast<uint64_t*>(p)[i] = static_cast<uint64_t>(v); break;
    }
}

// Round a value to an integer with the given mode (CAST_NONE behaves as CAST_RINT).
Wide RoundInteger(Wide x, RoundMode mode) {
    switch (mode) {
        case RoundMode::CAST_FLOOR: return std::floor(x);
        case RoundMode::CAST_CEIL: return std::ceil(x);
        case RoundMode::CAST_ROUND: return std::round(x);  // half away from zero
        case RoundMode::CAST_TRUNC: return std::trunc(x);
        case RoundMode::CAST_ODD: {
            Wide t = std::trunc(x);
            if (t != x && std::fmod(t, Wide(2)) == 0) t += std::copysign(Wide(1), x);
            return t;
        }
        default: return std::nearbyint(x);  // ties to even in the default environment
    }
}

struct FloatFormat {
    int precision;  // significand bits including the implicit one
    int minExp;     // exponent of the smallest normal
    double maxFinite;
};

bool IsFloat(DType t) { return t == DType::F16 || t == DType::BF16 || t == DType::F32 || t == DType::F64; }

FloatFormat FormatOf(DType t) {
    switch (t) {
        case DType::F16: return {11, -14, 65504.0};
        case DType::BF16: return {8, -126, 3.3895313892515355e38};
        default: return {24, -126, static_cast<double>(std::numeric_limits<float>::max())};
    }
}

bool RoundsAwayOnOverflow(RoundMode mode, bool negative) {
    switch (mode) {
        case RoundMode::CAST_FLOOR: return negative;
        case RoundMode::CAST_CEIL: return !negative;
        case RoundMode::CAST_TRUNC: case RoundMode::CAST_ODD: return false;
        default: return true;
    }
}

}  // namespace

namespace {
Wide RoundWide(Wide v, DType t, RoundMode mode) {
    if (IsFloat(t)) {
        if (v == 0 || !std::isfinite(v)) return v;
        const FloatFormat f = t == DType::F64 ? FloatFormat{53, -1022, std::numeric_limits<double>::max()} : FormatOf(t);
        int e = std::max(std::ilogb(v), f.minExp);
        Wide scaled = std::ldexp(v, f.precision - 1 - e);  // exact: a power-of-two scaling
        Wide r = std::ldexp(RoundInteger(scaled, mode), e - (f.precision - 1));
        if (std::fabs(r) > f.maxFinite)
            return RoundsAwayOnOverflow(mode, v < 0) ? std::copysign(Wide(INFINITY), v) : std::copysign(Wide(f.maxFinite), v);
        return r;
    }
    // Integer destinations saturate; NaN converts to 0.
    if (std::isnan(v)) return 0;
    Wide lo = 0, hi = 0;
    switch (t) {
        case DType::I8: lo = -128; hi = 127; break;
        case DType::U8: case DType::BOOL: lo = 0; hi = 255; break;
        case DType::I16: lo = -32768; hi = 32767; break;
        case DType::U16: lo = 0; hi = 65535; break;
        case DType::I32: lo = -2147483648.0; hi = 2147483647.0; break;
        case DType::U32: lo = 0; hi = 4294967295.0; break;
        case DType::I64: lo = -9223372036854775808.0L; hi = 9223372036854775807.0L; break;
        default: lo = 0; hi = 18446744073709551615.0L; break;
    }
    return std::min(hi, std::max(lo, RoundInteger(v, mode)));
}
}  // namespace


namespace {

constexpr uint32_t ModeBit(RoundMode m) { return 1u << static_cast<int>(m); }
constexpr uint32_t EXACT = ModeBit(RoundMode::CAST_NONE);
constexpr uint32_t ROUNDING = ModeBit(RoundMode::CAST_RINT) | ModeBit(RoundMode::CAST_FLOOR) |
                              ModeBit(RoundMode::CAST_CEIL) | ModeBit(RoundMode::CAST_ROUND) |
                              ModeBit(RoundMode::CAST_TRUNC);

struct CastRule {
    DType src, dst;
    uint32_t modes;
};

// Note [910B Cast table].
constexpr CastRule CAST_RULES[] = {
    {DType::F16, DType::F32, EXACT},           {DType::BF16, DType::F32, EXACT},
    {DType::I16, DType::F32, EXACT},           {DType::I8, DType::F16, EXACT},
    {DType::U8, DType::F16, EXACT},            {DType::I32, DType::I16, EXACT},
    {DType::I32, DType::I64, EXACT},           {DType::I64, DType::I32, EXACT},
    {DType::F16, DType::I8, ROUNDING | EXACT}, {DType::F16, DType::U8, ROUNDING | EXACT},
    {DType::I16, DType::F16, ROUNDING | EXACT}, {DType::I32, DType::F32, ROUNDING | EXACT},
    {DType::F32, DType::F16, ROUNDING | EXACT | ModeBit(RoundMode::CAST_ODD)},
    {DType::F16, DType::I16, ROUNDING},        {DType::F16, DType::I32, ROUNDING},
    {DType::BF16, DType::I32, ROUNDING},       {DType::F32, DType::I16, ROUNDING},
    {DType::F32, DType::I32, ROUNDING},        {DType::F32, DType::I64, ROUNDING},
    {DType::F32, DType::BF16, ROUNDING},       {DType::F32, DType::F32, ROUNDING},
    {DType::I64, DType::F32, ROUNDING},
};

const char* ModeName(RoundMode m) {
    static const char* names[] = {"CAST_NONE", "CAST_RINT", "CAST_FLOOR", "CAST_CEIL", "CAST_ROUND", "CAST_TRUNC", "CAST_ODD"};
    auto i = static_cast<size_t>(m);
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : "an unknown RoundMode";
}

std::string ModeList(uint32_t modes) {
    std::string out;
    for (int m = 0; m <= static_cast<int>(RoundMode::CAST_ODD); ++m)
        if (modes & (1u << m)) out += (out.empty() ? "" : ", ") + std::string(ModeName(static_cast<RoundMode>(m)));
    return out;
}

std::string PairName(DType st, DType dt) { return std::string(DTypeName(st)) + " -> " + DTypeName(dt); }

void CheckCast(DType dt, DType st, RoundMode mode) {
    if (st == DType::BF16 || dt == DType::BF16) RequireBf16Soc("Cast");
    if (st == DType::I32 && dt == DType::F16)
        Fail("Cast int32 -> float16 is the NPU's dequantisation path (the result is scaled by SetDeqScale); "
             "opkit does not model it: Cast int32 -> float32 (CAST_NONE), then float32 -> float16");
    for (const CastRule& rule : CAST_RULES) {
        if (rule.src != st || rule.dst != dt) continue;
        if (rule.modes & ModeBit(mode)) return;
        Fail("Cast " + PairName(st, dt) + ": " + ModeName(mode) + " is not allowed for this pair on the NPU (allowed: " +
             ModeList(rule.modes) + ")");
    }
    std::string pairs;
    for (const CastRule& rule : CAST_RULES) pairs += (pairs.empty() ? "" : ", ") + PairName(rule.src, rule.dst);
    Fail("Cast " + PairName(st, dt) + " is not a conversion the NPU has (Ascend910B converts " + pairs +
         "); go through an intermediate type");
}

// After CheckCast.
void CastLoop(DType dt, DType st, RoundMode mode, void* dst, const void* src, int64_t n) {
    const bool nearest = mode == RoundMode::CAST_NONE || mode == RoundMode::CAST_RINT;
    // Fast paths for the casts kernels use in their inner loops.
    if (st == DType::F16 && dt == DType::F32) return HalfToFloat(static_cast<const uint16_t*>(src), static_cast<float*>(dst), n);
    if (st == DType::BF16 && dt == DType::F32) return Bf16ToFloat(static_cast<const uint16_t*>(src), static_cast<float*>(dst), n);
    if (st == DType::F32 && dt == DType::F16 && nearest)
        return FloatToHalf(static_cast<const float*>(src), static_cast<uint16_t*>(dst), n);
    if (st == DType::F32 && dt == DType::BF16 && nearest)
        return FloatToBf16(static_cast<const float*>(src), static_cast<uint16_t*>(dst), n);
    if (st == DType::F32 && dt == DType::F32) {
        // float -> float rounds to an integral value; floats of magnitude >= 2^23 already are.
        const float* s = static_cast<const float*>(src);
        float* d = static_cast<float*>(dst);
        for (int64_t i = 0; i < n; ++i)
            d[i] = std::fabs(s[i]) < 8388608.0f ? static_cast<float>(RoundInteger(s[i], mode)) : s[i];
        return;
    }
    // General path: every source value is exact in double (int64 beyond 2^53 aside), then one
    // rounding to the destination in the requested mode.
    for (int64_t i = 0; i < n; ++i) Store(dt, dst, i, RoundWide(Load(st, src, i), dt, mode));
}

}  // namespace

void VecCast(DType dt, DType st, RoundMode mode, void* dst, const void* src, int64_t n) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    CheckCast(dt, st, mode);
    ModelVector("Cast", Repeats(n, std::max(DTypeSize(dt), DTypeSize(st))));
    if (Model() != nullptr) {
        ModelAccess(src, uint64_t(n) * DTypeSize(st), false, "Cast", __builtin_return_address(0));
        ModelAccess(dst, uint64_t(n) * DTypeSize(dt), true, "Cast", __builtin_return_address(0));
    }
    CastLoop(dt, st, mode, dst, src, n);
    if (const CoreState* c = CurrentCoreOrNull(); c != nullptr && c->soc != nullptr && c->soc->floatSaturation)
        SaturateFloats(dt, dst, n);  // Note [Float saturation]
}

void VecCastRepeat(DType dt, DType st, RoundMode mode, void* dst, const void* src, const RepeatShape& s) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    CheckCast(dt, st, mode);
    ModelVector("Cast", s.repeat);
    if (Model() != nullptr && s.repeat > 0)
        ModelAccess(dst, (uint64_t(s.repeat - 1) * s.dstRep + 8ull * s.dstBlk) * 32, true, "Cast");
    const uint32_t ds = DTypeSize(dt), ss = DTypeSize(st);
    const uint32_t lanes = 256 / std::max(ds, ss);
    alignas(64) uint8_t tin[256] = {}, tout[256];
    const uint32_t enabled = EnabledBlocks(s, lanes, 32 / ss);  // src blocks; Note [Masked-off blocks]
    for (uint32_t r = 0; r < s.repeat; ++r) {
        for (uint32_t l = 0; l < lanes; ++l) {
            if (!((enabled >> (l / (32 / ss))) & 1u)) continue;
            const uint8_t* p = static_cast<const uint8_t*>(src) + (uint64_t(r) * s.src0Rep + uint64_t(l / (32 / ss)) * s.src0Blk) * 32 + (l % (32 / ss)) * ss;
            std::memcpy(tin + l * ss, p, ss);
        }
        CastLoop(dt, st, mode, tout, tin, lanes);
        for (uint32_t l = 0; l < lanes; ++l) {
            if (!((s.mask[l / 64] >> (l % 64)) & 1u)) continue;
            uint8_t* p = static_cast<uint8_t*>(dst) + (uint64_t(r) * s.dstRep + uint64_t(l / (32 / ds)) * s.dstBlk) * 32 + (l % (32 / ds)) * ds;
            std::memcpy(p, tout + l * ds, ds);
        }
    }
}

// ---- Compare / Select ---------------------------------------------------------------------------
namespace {

float LoadFloat(DType t, const void* p, int64_t i) {
    return t == DType::F16 ? HalfBitsToFloat(static_cast<const uint16_t*>(p)[i]) : static_cast<const float*>(p)[i];
}

template <typename T, typename Get>
void CompareLoop(AscendC::CMPMODE mode, uint8_t* dst, const T* a, Get b, int64_t n) {
    using AscendC::CMPMODE;
    for (int64_t byte = 0; byte < n / 8; ++byte) {
        uint8_t bits = 0;
        for (int k = 0; k < 8; ++k) {
            const int64_t i = byte * 8 + k;
            const T x = a[i], y = b(i);
            bool r = false;
            switch (mode) {
                case CMPMODE::LT: r = x < y; break;
                case CMPMODE::GT: r = x > y; break;
                case CMPMODE::EQ: r = x == y; break;
                case CMPMODE::LE: r = x <= y; break;
                case CMPMODE::GE: r = x >= y; break;
                case CMPMODE::NE: r = x != y; break;
            }
            bits |= static_cast<uint8_t>(r) << k;
        }
        dst[byte] = bits;
    }
}

// Note [Compare and Select in SIMD]: Compare packs one result bit per element and Select picks each
// element by one; element loops with bit shifts do not vectorise, and sinh_custom at 1.6e7 spent a
// fifth of its time in them (its merge of two branches). With AVX-512 a compare gives 16 bits in a
// mask register and a blend takes 16 (32 for 16-bit elements) at once; with AVX, 8 floats compare
// into a movemask byte. The predicates are the ordered ones C++'s operators are (a NaN compares false,
// but for NE), so the bits are those of the element loops, which stay for other targets.
#if defined(__AVX__)
constexpr int Predicate(AscendC::CMPMODE mode) {
    using AscendC::CMPMODE;
    return mode == CMPMODE::LT ? _CMP_LT_OQ : mode == CMPMODE::GT ? _CMP_GT_OQ : mode == CMPMODE::EQ ? _CMP_EQ_OQ
         : mode == CMPMODE::LE ? _CMP_LE_OQ : mode == CMPMODE::GE ? _CMP_GE_OQ : _CMP_NEQ_UQ;
}
#endif

template <AscendC::CMPMODE MODE>
void CompareFloats(uint8_t* dst, const float* a, const float* b, float s, bool scalar, int64_t n) {
    int64_t i = 0;
#if defined(__AVX512F__)
    const __m512 sv = _mm512_set1_ps(s);
    for (; i + 16 <= n; i += 16) {
        const __mmask16 k = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + i), scalar ? sv : _mm512_loadu_ps(b + i), Predicate(MODE));
        std::memcpy(dst + i / 8, &k, 2);
    }
#elif defined(__AVX__)
    const __m256 sv = _mm256_set1_ps(s);
    for (; i + 8 <= n; i += 8)
        dst[i / 8] = uint8_t(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(a + i), scalar ? sv : _mm256_loadu_ps(b + i), Predicate(MODE))));
#endif
    if (i == n) return;
    // the element loop (other targets), on whole bytes: n is whole repeats
    if (scalar) CompareLoop(MODE, dst + i / 8, a + i, [&](int64_t) { return s; }, n - i);
    else CompareLoop(MODE, dst + i / 8, a + i, [&](int64_t j) { return b[i + j]; }, n - i);
}

void CompareFloats(AscendC::CMPMODE mode, uint8_t* dst, const float* a, const float* b, float s, bool scalar, int64_t n) {
    using AscendC::CMPMODE;
    switch (mode) {
        case CMPMODE::LT: return CompareFloats<CMPMODE::LT>(dst, a, b, s, scalar, n);
        case CMPMODE::GT: return CompareFloats<CMPMODE::GT>(dst, a, b, s, scalar, n);
        case CMPMODE::EQ: return CompareFloats<CMPMODE::EQ>(dst, a, b, s, scalar, n);
        case CMPMODE::LE: return CompareFloats<CMPMODE::LE>(dst, a, b, s, scalar, n);
        case CMPMODE::GE: return CompareFloats<CMPMODE::GE>(dst, a, b, s, scalar, n);
        case CMPMODE::NE: return CompareFloats<CMPMODE::NE>(dst, a, b, s, scalar, n);
    }
}

}  // namespace

void VecCompare(DType t, AscendC::CMPMODE mode, uint8_t* dst, const void* a, const void* b, bool bIsScalar, int64_t count) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    const char* name = bIsScalar ? "Compares" : "Compare";
    RequireDType(name, t, DTYPES_FLOAT | DTypeBit(DType::I32));
    ModelVector("Compare", uint64_t(count) * DTypeSize(t) / 256);
    if (Model() != nullptr) {
        const uint64_t whole = uint64_t(count) * DTypeSize(t) / 256 * 256;  // whole repeats only
        ModelAccess(a, whole, false, name, __builtin_return_address(0));
        if (!bIsScalar) ModelAccess(b, whole, false, name, __builtin_return_address(0));
        ModelAccess(dst, whole / DTypeSize(t) / 8, true, name, __builtin_return_address(0));
    }
    if (t == DType::I32 && mode != AscendC::CMPMODE::EQ)
        Fail(std::string(name) + ": int32 operands support only CMPMODE::EQ on the NPU (float16 and float32 take every mode)");
    // The NPU compares whole 256-byte repeats only: the elements of a trailing partial repeat are
    // not compared and their result bits (and the bytes after them) keep dst's old contents.
    const int64_t lanes = 256 / DTypeSize(t);
    const int64_t n = count / lanes * lanes;
    if (t == DType::I32) {
        const int32_t* pa = static_cast<const int32_t*>(a);
        const int32_t* pb = static_cast<const int32_t*>(b);
        if (bIsScalar) CompareLoop(mode, dst, pa, [&](int64_t) { return pb[0]; }, n);
        else CompareLoop(mode, dst, pa, [&](int64_t i) { return pb[i]; }, n);
        return;
    }
    // fp16 compares exactly in fp32.
    constexpr int64_t CHUNK = 512;
    alignas(64) float ta[CHUNK], tb[CHUNK];
    const float s = bIsScalar ? LoadFloat(t, b, 0) : 0.0f;
    for (int64_t off = 0; off < n; off += CHUNK) {
        const int64_t m = std::min(CHUNK, n - off);
        const float *pa, *pb;
        if (t == DType::F16) {
            HalfToFloat(static_cast<const uint16_t*>(a) + off, ta, m);
            if (!bIsScalar) HalfToFloat(static_cast<const uint16_t*>(b) + off, tb, m);
            pa = ta;
            pb = tb;
        } else {
            pa = static_cast<const float*>(a) + off;
            pb = bIsScalar ? nullptr : static_cast<const float*>(b) + off;
        }
        CompareFloats(mode, dst + off / 8, pa, pb, s, bIsScalar, m);  // Note [Compare and Select in SIMD]
    }
}

// Select's modes 1 and 2 stage a 32-element operand for the CMPMASK register in UB's scratch
// area, as CANN's dav_c220 and dav_m200 code does (Note [UB scratch area]): the scalar src1, or
// the selMask's UB address as uint32.
static void SelectScratch(AscendC::SELMODE mode, uint32_t size, const uint8_t* mask, const void* b, const void* ret) {
    uint8_t staged[32 * 8];
    if (mode == AscendC::SELMODE::VSEL_TENSOR_SCALAR_MODE) {
        for (int i = 0; i < 32; ++i) std::memcpy(staged + i * size, b, size);
        WriteUbScratch(staged, 32 * size, "Select (VSEL_TENSOR_SCALAR_MODE)", ret);
    } else {
        const auto addr = static_cast<uint32_t>(mask - MemBase(Mem::UB));
        for (int i = 0; i < 32; ++i) std::memcpy(staged + i * 4, &addr, 4);
        WriteUbScratch(staged, 32 * 4, "Select (VSEL_TENSOR_TENSOR_MODE)", ret);
    }
}

namespace {
// lanes[m][j]: all ones where bit j of the mask byte m is set.
template <typename U>
struct MaskLanes {
    U lanes[256][8];
    MaskLanes() {
        for (int m = 0; m < 256; ++m)
            for (int j = 0; j < 8; ++j) lanes[m][j] = (m >> j) & 1 ? U(~U(0)) : U(0);
    }
};

// Select's element loop on the raw bits (U: an unsigned integer of the element's size, so NaN payloads
// move untouched), element by element in order like the instruction; bit k of `mask` picks a[k]
// (set) or b[k] (clear; b[0] in scalar mode), the mask restarting every `period` elements.
template <typename U>
void SelectBits(U* d, const uint8_t* mask, const U* a, const U* b, int64_t n, int64_t period, bool scalar) {
    auto bit = [mask](int64_t k) { return (mask[k >> 3] >> (k & 7)) & 1u; };
    const U s = scalar ? b[0] : U(0);
    if (period < n || !SameOrApart(d, a, n) || (!scalar && !SameOrApart(d, b, n))) {  // the general case, element by element
        for (int64_t i = 0; i < n; ++i) d[i] = bit(i % period) ? a[i] : (scalar ? s : b[i]);
        return;
    }
    // Each element reads only its own sources: a register's worth at a time (Note [Compare and
    // Select in SIMD]), else eight at a time, blended through a lane mask.
    int64_t i = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__)
    constexpr int64_t lanes = 64 / sizeof(U);  // 16 or 32 elements: a mask register's 16 or 32 bits
    const __m512i sv = sizeof(U) == 4 ? _mm512_set1_epi32(int32_t(s)) : _mm512_set1_epi16(int16_t(s));
    for (; i + lanes <= n; i += lanes) {
        uint32_t k = 0;
        std::memcpy(&k, mask + i / 8, lanes / 8);
        const __m512i av = _mm512_loadu_si512(a + i), bv = scalar ? sv : _mm512_loadu_si512(b + i);
        _mm512_storeu_si512(d + i, sizeof(U) == 4 ? _mm512_mask_blend_epi32(__mmask16(k), bv, av)
                                                  : _mm512_mask_blend_epi16(__mmask32(k), bv, av));
    }
#endif
    static const MaskLanes<U> table;
    for (; i + 8 <= n; i += 8) {
        const U* lane = table.lanes[mask[i >> 3]];
#pragma GCC ivdep
        for (int j = 0; j < 8; ++j) d[i + j] = U((a[i + j] & lane[j]) | ((scalar ? s : b[i + j]) & U(~lane[j])));
    }
    for (; i < n; ++i) d[i] = bit(i) ? a[i] : (scalar ? s : b[i]);
}
}  // namespace

void VecSelect(DType t, AscendC::SELMODE mode, void* dst, const uint8_t* mask, const void* a, const void* b, int64_t n) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    RequireDType("Select", t, DTYPES_FLOAT);
    ModelVector("Select", Repeats(n, DTypeSize(t)));
    if (Model() != nullptr) {
        ModelAccess(mask, mode == AscendC::SELMODE::VSEL_CMPMASK_SPR ? 256 / DTypeSize(t) / 8 : uint64_t(n + 7) / 8, false,
                    "Select", __builtin_return_address(0));
        ModelAccess(a, uint64_t(n) * DTypeSize(t), false, "Select", __builtin_return_address(0));
        if (mode == AscendC::SELMODE::VSEL_TENSOR_TENSOR_MODE)
            ModelAccess(b, uint64_t(n) * DTypeSize(t), false, "Select", __builtin_return_address(0));
        ModelAccess(dst, uint64_t(n) * DTypeSize(t), true, "Select", __builtin_return_address(0));
    }
    const uint32_t size = DTypeSize(t);
    if (mode != AscendC::SELMODE::VSEL_CMPMASK_SPR && CoreSoc().arch != 1001)
        SelectScratch(mode, size, mask, b, __builtin_return_address(0));
    // VSEL_CMPMASK_SPR selects with the CMPMASK register, loaded once with the first 256/size bits
    // of selMask, so every repeat reuses them; the other modes stream selMask bit by bit.
    const int64_t period = mode == AscendC::SELMODE::VSEL_CMPMASK_SPR ? 256 / size : INT64_MAX;
    const bool scalar = mode == AscendC::SELMODE::VSEL_TENSOR_SCALAR_MODE;
    if (size == 4)
        SelectBits(static_cast<uint32_t*>(dst), mask, static_cast<const uint32_t*>(a), static_cast<const uint32_t*>(b), n,
                   period, scalar);
    else
        SelectBits(static_cast<uint16_t*>(dst), mask, static_cast<const uint16_t*>(a), static_cast<const uint16_t*>(b), n,
                   period, scalar);
}

}  // namespace rt
}  // namespace opkit
