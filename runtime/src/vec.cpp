// opkit: the vector unit's arithmetic, compiled once as SIMD loops.
//
// Note [Per-instruction rounding]: on the NPU every fp16/bf16 vector instruction produces a 16-bit
// result. Here a 16-bit instruction converts its operands to fp32, computes, and rounds the
// result to nearest even once. For +, -, *, / and sqrt that is exactly the correctly rounded 16-bit
// result (fp32 carries more than 2p+2 bits for p = 11 and p = 8, so the double rounding is
// innocuous); transcendental results are as accurate as the fp32 function.
#include <algorithm>
#include <array>
#include <utility>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__F16C__) || defined(__SSE2__)
#include <immintrin.h>
#endif

#include "opkit/rt/api.h"
#include "vec_internal.h"
#include "core_state.h"

namespace opkit {
namespace rt {

// ---- 16-bit float conversions ------------------------------------------------------------------
void HalfToFloat(const uint16_t* s, float* d, int64_t n) {
    int64_t i = 0;
#if defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
#endif
    for (; i < n; ++i) d[i] = HalfBitsToFloat(s[i]);
}

void FloatToHalf(const float* s, uint16_t* d, int64_t n) {
    int64_t i = 0;
#if defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#endif
    for (; i < n; ++i) d[i] = FloatToHalfBits(s[i]);
}

void Bf16ToFloat(const uint16_t* s, float* d, int64_t n) {
    uint32_t* o = reinterpret_cast<uint32_t*>(d);
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<uint32_t>(s[i]) << 16;
}

void FloatToBf16(const float* s, uint16_t* d, int64_t n) {
    const uint32_t* in = reinterpret_cast<const uint32_t*>(s);
    for (int64_t i = 0; i < n; ++i) {
        uint32_t x = in[i];
        uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
        uint32_t nan = (x >> 16) | 0x40u;
        d[i] = static_cast<uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
    }
}

namespace {

// ---- the operations, on float for float-like types and on the native type for integers ---------
template <typename C>
struct Ops;

template <typename C>
C Wrap(int64_t v) { return static_cast<C>(static_cast<typename std::make_unsigned<C>::type>(v)); }

// Binary op on values of compute type C.
template <VOp op, typename C>
inline C Bin(C a, C b) {
    if constexpr (op == VOp::ADD || op == VOp::ADDS) {
        if constexpr (std::is_integral<C>::value) return Wrap<C>(int64_t(a) + int64_t(b)); else return a + b;
    } else if constexpr (op == VOp::SUB) {
        if constexpr (std::is_integral<C>::value) return Wrap<C>(int64_t(a) - int64_t(b)); else return a - b;
    } else if constexpr (op == VOp::MUL || op == VOp::MULS) {
        if constexpr (std::is_integral<C>::value) return Wrap<C>(int64_t(a) * int64_t(b)); else return a * b;
    } else if constexpr (op == VOp::DIV) {
        return a / b;
    } else if constexpr (op == VOp::MAX || op == VOp::MAXS) {
        return a > b ? a : b;
    } else if constexpr (op == VOp::MIN || op == VOp::MINS) {
        return a < b ? a : b;
    } else if constexpr (op == VOp::LEAKY_RELU) {
        return a >= C(0) ? a : a * b;
    } else if constexpr (op == VOp::AND) {
        return a & b;
    } else if constexpr (op == VOp::OR) {
        return a | b;
    } else if constexpr (op == VOp::SHIFT_LEFT) {
        // Counts of the type's width or more shift every bit out (C++ would leave that undefined).
        if (b >= C(8 * sizeof(C))) return C(0);
        return Wrap<C>(static_cast<int64_t>(static_cast<typename std::make_unsigned<C>::type>(a)) << b);
    } else if constexpr (op == VOp::SHIFT_RIGHT) {
        if (b >= C(8 * sizeof(C))) return std::is_signed<C>::value && a < C(0) ? C(-1) : C(0);
        return a >> b;  // arithmetic for signed types, logical for unsigned
    } else {
        static_assert(op == VOp::ADD, "not a binary op");
        return a;
    }
}

inline float AsFloat(int32_t i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}

// e^x for the vector unit's fp32 Exp, written so the compiler vectorises it (std::exp is a call
// per element). Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, a degree-8 Taylor polynomial,
// and 2^k applied in two halves so results down to the subnormals and up to overflow come out
// right. Within 0.85 ulp of the correctly rounded e^x over [-104, 89] (checked against double).
inline float ExpF(float x) {
    // The clamps are written as max and min (a NaN gives -104, and the end gives x back): with no
    // NaN test first they vectorise to two instructions. Bit-identical to testing x == x first over
    // all 2^32 inputs (checked), and 16% faster.
    float xs = x > -104.0f ? x : -104.0f;
    xs = xs < 89.0f ? xs : 89.0f;
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
    const float k = (xs * 1.44269504088896341f + magic) - magic;
    float r = xs - k * 0.693145751953125f;  // ln2's high part: k * it is exact for |k| < 256
    r = r - k * 1.428606765330187045e-06f;
    float p = 1.0f / 40320.0f;
    p = p * r + 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t ki = static_cast<int32_t>(k);
    const int32_t k1 = ki >> 1, k2 = ki - k1;  // (a shift, not ki / 2: no rounding toward zero to fix up)
    const float y = p * AsFloat((k1 + 127) << 23) * AsFloat((k2 + 127) << 23);
    return x == x ? y : x;
}

#if defined(__AVX512F__)
// Note [Exp with scalef]: where the CPU has AVX-512, Exp's loop is written with intrinsics, 16 lanes
// at a time and the last few under a mask: ExpF's steps, each fused multiply-add where the compiler
// fuses ExpF's (it contracts x * c + d), and 2^k applied by one vscalefps (p * 2^k, rounded once)
// in place of ExpF's two multiplies by 2^k1 and 2^k2 (k = k1 + k2; p * 2^k1 is exact, so that
// too rounds p * 2^k once). The same bits as the compiled ExpF loop over all 2^32 inputs (checked
// with a standalone harness built with vec.cpp's flags, GCC 12, session 11), 30% faster in cache
// (0.41 -> 0.29 ns/element). tests/runtime/test_vec_exp.py holds the result to one ulp.
void ExpLoop16(float* d, const float* a, int64_t n) {
    const __m512 lo = _mm512_set1_ps(-104.0f), hi = _mm512_set1_ps(89.0f), l2e = _mm512_set1_ps(1.44269504088896341f),
                 magic = _mm512_set1_ps(12582912.0f), ln2hi = _mm512_set1_ps(0.693145751953125f),
                 ln2lo = _mm512_set1_ps(1.428606765330187045e-06f);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 lanes = n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
        const __m512 x = _mm512_maskz_loadu_ps(lanes, a + i);
        const __m512 xs = _mm512_min_ps(_mm512_max_ps(x, lo), hi);  // ExpF's clamps (a NaN gives -104)
        const __m512 k = _mm512_sub_ps(_mm512_fmadd_ps(xs, l2e, magic), magic);
        __m512 r = _mm512_fnmadd_ps(k, ln2hi, xs);
        r = _mm512_fnmadd_ps(k, ln2lo, r);
        __m512 p = _mm512_set1_ps(1.0f / 40320.0f);
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 5040.0f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
        const __m512 y = _mm512_scalef_ps(p, k);
        const __mmask16 number = _mm512_cmp_ps_mask(x, x, _CMP_EQ_OQ);  // a NaN comes back as it was
        _mm512_mask_storeu_ps(d + i, lanes, _mm512_mask_blend_ps(number, x, y));
    }
}
#endif

template <VOp op, typename C>
inline C Un(C a) {
    if constexpr (op == VOp::EXP) {
        if constexpr (std::is_same<C, float>::value) return ExpF(a); else return std::exp(a);
    }
    else if constexpr (op == VOp::LN) return std::log(a);
    else if constexpr (op == VOp::ABS) { if constexpr (std::is_unsigned<C>::value) return a; else return a < C(0) ? C(-a) : a; }
    else if constexpr (op == VOp::RECIPROCAL) return C(1) / a;
    else if constexpr (op == VOp::SQRT) return std::sqrt(a);
    else if constexpr (op == VOp::RSQRT) return C(1) / std::sqrt(a);
    else if constexpr (op == VOp::RELU) return a > C(0) ? a : C(0);
    else if constexpr (op == VOp::NOT) return C(~a);
    else { static_assert(op == VOp::EXP, "not a unary op"); return a; }
}

enum class Kind { BINARY, SCALAR, UNARY };

constexpr Kind KindOf(VOp op) {
    return op <= VOp::OR ? Kind::BINARY : (op <= VOp::SHIFT_RIGHT ? Kind::SCALAR : Kind::UNARY);
}

template <VOp op>
constexpr bool FloatOnly() {
    return op == VOp::DIV || op == VOp::EXP || op == VOp::LN || op == VOp::RECIPROCAL || op == VOp::SQRT ||
           op == VOp::RSQRT || op == VOp::LEAKY_RELU;
}
template <VOp op>
constexpr bool IntOnly() {
    return op == VOp::AND || op == VOp::OR || op == VOp::NOT || op == VOp::SHIFT_LEFT || op == VOp::SHIFT_RIGHT;
}

// Contiguous loop over a native type (float or integer): the compiler vectorises these.
template <VOp op, typename T>
void NativeLoopAnyOverlap(T* d, const T* a, const T* b, T s, int64_t n) {
    if constexpr (KindOf(op) == Kind::BINARY) {
        for (int64_t i = 0; i < n; ++i) d[i] = Bin<op, T>(a[i], b[i]);
    } else if constexpr (KindOf(op) == Kind::SCALAR) {
        for (int64_t i = 0; i < n; ++i) d[i] = Bin<op, T>(a[i], s);
    } else {
        for (int64_t i = 0; i < n; ++i) d[i] = Un<op, T>(a[i]);
    }
}

// The same loop when each source is the destination itself or does not overlap it: element i reads
// only what element i of the sources held, so vectors give the element-by-element answer. (The
// compiler's own overlap check sends an in-place Exp(u, u) to its scalar loop: sinh_custom at 1,000
// elements spent most of its time there.)
template <VOp op, typename T>
void NativeLoopSeparate(T* d, const T* a, const T* b, T s, int64_t n) {
    if constexpr (KindOf(op) == Kind::BINARY) {
#pragma GCC ivdep
        for (int64_t i = 0; i < n; ++i) d[i] = Bin<op, T>(a[i], b[i]);
    } else if constexpr (KindOf(op) == Kind::SCALAR) {
#pragma GCC ivdep
        for (int64_t i = 0; i < n; ++i) d[i] = Bin<op, T>(a[i], s);
    } else {
#if defined(__AVX512F__)
        if constexpr (op == VOp::EXP && std::is_same<T, float>::value) return ExpLoop16(d, a, n);
#endif
#pragma GCC ivdep
        for (int64_t i = 0; i < n; ++i) d[i] = Un<op, T>(a[i]);
    }
}

template <VOp op, typename T>
void NativeLoop(T* d, const T* a, const T* b, T s, int64_t n) {
    if (SameOrApart<T>(d, a, n) && (KindOf(op) != Kind::BINARY || SameOrApart<T>(d, b, n)))
        NativeLoopSeparate<op, T>(d, a, b, s, n);
    else
        NativeLoopAnyOverlap<op, T>(d, a, b, s, n);
}

// fp16 loop: widen a chunk to fp32, compute, round back (Note [Per-instruction rounding]). bf16
// has no vector arithmetic on 910B (Note [910B dtype table]), so only fp16 comes here.
template <VOp op>
void HalfLoop(uint16_t* d, const uint16_t* a, const uint16_t* b, float s, int64_t n) {
    constexpr int64_t CHUNK = 512;
    alignas(64) float ta[CHUNK];
    alignas(64) float tb[CHUNK];
    for (int64_t off = 0; off < n; off += CHUNK) {
        int64_t m = std::min(CHUNK, n - off);
        HalfToFloat(a + off, ta, m);
        if constexpr (KindOf(op) == Kind::BINARY) HalfToFloat(b + off, tb, m);
        NativeLoop<op, float>(ta, ta, tb, s, m);
        FloatToHalf(ta, d + off, m);
    }
}

[[noreturn]] void Unsupported(VOp op, DType t) {
    Fail(std::string(VOpName(op)) + " does not support " + DTypeName(t) + " tensors");
}

// The 910B dtypes of each instruction (Note [910B dtype table]).
constexpr uint32_t SupportedDTypes(VOp op) {
    switch (op) {
        case VOp::ADD: case VOp::SUB: case VOp::MUL: case VOp::MAX: case VOp::MIN:
        case VOp::ADDS: case VOp::MULS: case VOp::MAXS: case VOp::MINS:
            return DTYPES_ARITH;
        case VOp::AND: case VOp::OR: case VOp::NOT:
            return DTypeBit(DType::I16) | DTypeBit(DType::U16);
        case VOp::SHIFT_LEFT: case VOp::SHIFT_RIGHT:
            return DTypeBit(DType::I16) | DTypeBit(DType::U16) | DTypeBit(DType::I32) | DTypeBit(DType::U32);
        case VOp::RELU:
            return DTYPES_FLOAT | DTypeBit(DType::I32);
        default:  // DIV, LEAKY_RELU, EXP, LN, ABS, RECIPROCAL, SQRT, RSQRT
            return DTYPES_FLOAT;
    }
}

// Runs after RequireDType, so only the 910B types need a loop; the others stay uninstantiated.
template <VOp op>
void Run(DType t, void* d, const void* a, const void* b, const void* scalar, int64_t n) {
    auto S = [&](auto tag) {
        using T = decltype(tag);
        T s{};
        if (scalar) std::memcpy(&s, scalar, sizeof(T));
        NativeLoop<op, T>(static_cast<T*>(d), static_cast<const T*>(a), static_cast<const T*>(b), s, n);
    };
    switch (t) {
        case DType::F16: {
            if constexpr (IntOnly<op>()) Unsupported(op, t);
            else {
                float s = 0.0f;
                if (scalar) {
                    uint16_t bits;
                    std::memcpy(&bits, scalar, 2);
                    s = HalfBitsToFloat(bits);
                }
                HalfLoop<op>(static_cast<uint16_t*>(d), static_cast<const uint16_t*>(a),
                             static_cast<const uint16_t*>(b), s, n);
            }
            return;
        }
        case DType::F32: if constexpr (IntOnly<op>()) Unsupported(op, t); else S(float{}); return;
        case DType::I16: if constexpr (FloatOnly<op>()) Unsupported(op, t); else S(int16_t{}); return;
        case DType::U16: if constexpr (FloatOnly<op>()) Unsupported(op, t); else S(uint16_t{}); return;
        case DType::I32: if constexpr (FloatOnly<op>()) Unsupported(op, t); else S(int32_t{}); return;
        case DType::U32: if constexpr (FloatOnly<op>()) Unsupported(op, t); else S(uint32_t{}); return;
        default: Unsupported(op, t);
    }
}

using RunFn = void (*)(DType, void*, const void*, const void*, const void*, int64_t);

template <size_t... I>
constexpr auto MakeTable(std::index_sequence<I...>) {
    return std::array<RunFn, sizeof...(I)>{&Run<static_cast<VOp>(I)>...};
}
constexpr auto kRun = MakeTable(std::make_index_sequence<static_cast<size_t>(VOp::COUNT)>());

}  // namespace

void SaturateFloats(DType t, void* data, int64_t n) {
    if (t == DType::F16) {
        auto* h = static_cast<uint16_t*>(data);
        for (int64_t i = 0; i < n; ++i) {
            uint16_t v = h[i];
            bool special = (v & 0x7c00u) == 0x7c00u;
            uint16_t fixed = (v & 0x3ffu) ? uint16_t(0) : uint16_t((v & 0x8000u) | 0x7bffu);
            h[i] = special ? fixed : v;
        }
    } else if (t == DType::F32) {
        auto* f = static_cast<uint32_t*>(data);
        for (int64_t i = 0; i < n; ++i) {
            uint32_t v = f[i];
            bool special = (v & 0x7f800000u) == 0x7f800000u;
            uint32_t fixed = (v & 0x7fffffu) ? 0u : ((v & 0x80000000u) | 0x7f7fffffu);
            f[i] = special ? fixed : v;
        }
    }
}

namespace {
inline bool SaturatesOn(const CoreState* c) { return c != nullptr && c->soc != nullptr && c->soc->floatSaturation; }
inline bool Saturates() { return SaturatesOn(CurrentCoreOrNull()); }
}  // namespace

const char* VOpName(VOp op) {
    static const char* names[] = {"Add", "Sub", "Mul", "Div", "Max", "Min", "And", "Or", "Adds", "Muls", "Maxs",
                                  "Mins", "LeakyRelu", "ShiftLeft", "ShiftRight", "Exp", "Ln", "Abs", "Reciprocal",
                                  "Sqrt", "Rsqrt", "Relu", "Not"};
    return op < VOp::COUNT ? names[static_cast<int>(op)] : "?";
}

// VecBinary, VecScalar and VecUnary look their core up once (they run for every instruction).
void VecBinary(VOp op, DType t, void* dst, const void* a, const void* b, int64_t n) {
    const CoreState* c = CurrentCoreOrNull();
    if (VectorMutedOn(c)) return;  // Note [Vector work on a MIX launch's cube core]
    if (KindOf(op) != Kind::BINARY) Fail(std::string(VOpName(op)) + " is not a binary instruction");
    RequireDType(VOpName(op), t, SupportedDTypes(op));
    if (c != nullptr && c->model != nullptr) {
        ModelVector(VOpName(op), Repeats(n, DTypeSize(t)));
        const void* ret = __builtin_return_address(0);
        ModelAccess(a, uint64_t(n) * DTypeSize(t), false, VOpName(op), ret);
        ModelAccess(b, uint64_t(n) * DTypeSize(t), false, VOpName(op), ret);
        ModelAccess(dst, uint64_t(n) * DTypeSize(t), true, VOpName(op), ret);
    }
    kRun[static_cast<size_t>(op)](t, dst, a, b, nullptr, n);
    if (SaturatesOn(c)) SaturateFloats(t, dst, n);  // Note [Float saturation]
}
void VecScalar(VOp op, DType t, void* dst, const void* a, const void* scalar, int64_t n) {
    const CoreState* c = CurrentCoreOrNull();
    if (VectorMutedOn(c)) return;  // Note [Vector work on a MIX launch's cube core]
    if (KindOf(op) != Kind::SCALAR) Fail(std::string(VOpName(op)) + " is not a tensor-scalar instruction");
    RequireDType(VOpName(op), t, SupportedDTypes(op));
    if (c != nullptr && c->model != nullptr) ModelVector(VOpName(op), Repeats(n, DTypeSize(t)));
    if (op == VOp::SHIFT_LEFT || op == VOp::SHIFT_RIGHT) {
        int64_t count = 0;
        switch (t) {
            case DType::I16: { int16_t v; std::memcpy(&v, scalar, 2); count = v; break; }
            case DType::I32: { int32_t v; std::memcpy(&v, scalar, 4); count = v; break; }
            default: break;  // unsigned counts are never negative
        }
        if (count < 0) Fail(std::string(VOpName(op)) + ": negative shift count " + std::to_string(count));
    }
    if (c != nullptr && c->model != nullptr) {
        ModelAccess(a, uint64_t(n) * DTypeSize(t), false, VOpName(op), __builtin_return_address(0));
        ModelAccess(dst, uint64_t(n) * DTypeSize(t), true, VOpName(op), __builtin_return_address(0));
    }
    kRun[static_cast<size_t>(op)](t, dst, a, nullptr, scalar, n);
    if (SaturatesOn(c)) SaturateFloats(t, dst, n);  // Note [Float saturation]
}
void VecUnary(VOp op, DType t, void* dst, const void* a, int64_t n) {
    const CoreState* c = CurrentCoreOrNull();
    if (VectorMutedOn(c)) return;  // Note [Vector work on a MIX launch's cube core]
    if (KindOf(op) != Kind::UNARY) Fail(std::string(VOpName(op)) + " is not a unary instruction");
    RequireDType(VOpName(op), t, SupportedDTypes(op));
    if (c != nullptr && c->model != nullptr) {
        ModelVector(VOpName(op), Repeats(n, DTypeSize(t)));
        ModelAccess(a, uint64_t(n) * DTypeSize(t), false, VOpName(op), __builtin_return_address(0));
        ModelAccess(dst, uint64_t(n) * DTypeSize(t), true, VOpName(op), __builtin_return_address(0));
    }
    kRun[static_cast<size_t>(op)](t, dst, a, nullptr, nullptr, n);
    if (SaturatesOn(c)) SaturateFloats(t, dst, n);  // Note [Float saturation]
}

// ---- mask/repeat form: gather each repeat's lanes, run the contiguous loop, scatter masked lanes
void VecRepeat(VOp op, DType t, void* dst, const void* a, const void* b, const void* scalar, const RepeatShape& s) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    if (op >= VOp::COUNT) Fail("VecRepeat: not a vector instruction");
    RequireDType(VOpName(op), t, SupportedDTypes(op));
    ModelVector(VOpName(op), s.repeat);
    if (Model() != nullptr && s.repeat > 0)  // the mask/repeat form: its whole footprint counts as written
        ModelAccess(dst, (uint64_t(s.repeat - 1) * s.dstRep + 8ull * s.dstBlk) * 32, true, VOpName(op));
    const uint32_t size = DTypeSize(t);
    const uint32_t lanes = 256 / size, perBlock = 32 / size;
    alignas(64) uint8_t ta[256], tb[256], td[256];
    auto addr = [&](const void* base, uint32_t r, uint32_t lane, uint16_t blk, uint16_t rep) {
        return static_cast<const uint8_t*>(base) + (uint64_t(r) * rep + uint64_t(lane / perBlock) * blk) * 32 +
               (lane % perBlock) * size;
    };
    const Kind kind = KindOf(op);
    const uint32_t enabled = EnabledBlocks(s, lanes, perBlock);  // Note [Masked-off blocks]
    std::memset(ta, 0, sizeof ta);
    std::memset(tb, 0, sizeof tb);
    for (uint32_t r = 0; r < s.repeat; ++r) {
        for (uint32_t l = 0; l < lanes; ++l) {
            if (!((enabled >> (l / perBlock)) & 1u)) continue;
            std::memcpy(ta + l * size, addr(a, r, l, s.src0Blk, s.src0Rep), size);
            if (kind == Kind::BINARY) std::memcpy(tb + l * size, addr(b, r, l, s.src1Blk, s.src1Rep), size);
        }
        kRun[static_cast<size_t>(op)](t, td, ta, kind == Kind::BINARY ? tb : nullptr, scalar, lanes);
        if (Saturates()) SaturateFloats(t, td, lanes);  // Note [Float saturation]
        for (uint32_t l = 0; l < lanes; ++l)
            if ((s.mask[l / 64] >> (l % 64)) & 1u)
                std::memcpy(const_cast<uint8_t*>(addr(dst, r, l, s.dstBlk, s.dstRep)), td + l * size, size);
    }
}

// ---- data movement ------------------------------------------------------------------------------
void CopyRuns(uint8_t* dst, const uint8_t* src, uint32_t blocks, uint32_t runBytes, uint64_t dstStep, uint64_t srcStep) {
    if (blocks == 1 || (dstStep == runBytes && srcStep == runBytes)) {
        std::memmove(dst, src, uint64_t(runBytes) * (blocks == 1 ? 1 : blocks));
        return;
    }
    for (uint32_t i = 0; i < blocks; ++i) std::memmove(dst + i * dstStep, src + i * srcStep, runBytes);
}

// Note [Streaming GM writes]: a DataCopy into GM writes memory the kernel is unlikely to read again
// soon (an op's output), and on the host an ordinary store first reads each cache line it writes
// (read for ownership): for add_custom at 1.6e7 float32 that is a quarter of the call's memory
// traffic. Contiguous copies of 8 KiB or more are written with non-temporal stores instead, which
// skip that read and do not fill the caches; smaller or strided ones (a workspace slot, a matrix's
// rows) stay ordinary. (16 KiB missed sinh_custom's fp16 tiles, 8,000-odd halves: its calls at 1.6e7
// elements spent a fifth of their time in the output's memcpy; 8 KiB took them from 11.1-12.4 ms to
// 10.2-10.5 ms, `python benchmarks/bench_ops.py --sizes 16000000`, session 11.) The fence at the end
// makes the bytes visible like any other store before the copy returns. Targets without SSE2 copy
// with memcpy.
namespace {
constexpr uint64_t kStreamMinBytes = 8 << 10;

void StreamRun(uint8_t* dst, const uint8_t* src, uint64_t n) {
    const uint64_t head = (64 - (reinterpret_cast<uintptr_t>(dst) & 63)) & 63;
    std::memcpy(dst, src, head);
    dst += head;
    src += head;
    n -= head;
    const uint64_t body = n / 64 * 64;
#if defined(__SSE2__)
    for (uint64_t i = 0; i < body; i += 64) {
#if defined(__AVX__)
        _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
        _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 32),
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 32)));
#else
        for (int k = 0; k < 64; k += 16)
            _mm_stream_si128(reinterpret_cast<__m128i*>(dst + i + k), _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + k)));
#endif
    }
#else  // no non-temporal stores here (not x86): an ordinary copy
    std::memcpy(dst, src, body);
#endif
    std::memcpy(dst + body, src + body, n - body);
}
}  // namespace

void CopyRunsToGm(uint8_t* dst, const uint8_t* src, uint32_t blocks, uint32_t runBytes, uint64_t dstStep, uint64_t srcStep) {
    // (the source is on-chip memory, which no GM buffer overlaps)
    const bool contiguous = blocks == 1 || (dstStep == runBytes && srcStep == runBytes);
    if (!contiguous || uint64_t(runBytes) * blocks < kStreamMinBytes) {
        CopyRuns(dst, src, blocks, runBytes, dstStep, srcStep);
        return;
    }
    StreamRun(dst, src, uint64_t(runBytes) * blocks);
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

void Fill(DType t, void* dst, const void* scalar, int64_t count) {
    switch (DTypeSize(t)) {
        case 1: { uint8_t v; std::memcpy(&v, scalar, 1); std::fill_n(static_cast<uint8_t*>(dst), count, v); break; }
        case 2: { uint16_t v; std::memcpy(&v, scalar, 2); std::fill_n(static_cast<uint16_t*>(dst), count, v); break; }
        case 4: { uint32_t v; std::memcpy(&v, scalar, 4); std::fill_n(static_cast<uint32_t*>(dst), count, v); break; }
        default: { uint64_t v; std::memcpy(&v, scalar, 8); std::fill_n(static_cast<uint64_t*>(dst), count, v); break; }
    }
}

// ---- Duplicate ---------------------------------------------------------------------------------
namespace {
constexpr uint32_t DUPLICATE_DTYPES = DTypeBit(DType::I16) | DTypeBit(DType::U16) | DTypeBit(DType::F16) |
                                      DTypeBit(DType::BF16) | DTypeBit(DType::I32) | DTypeBit(DType::U32) |
                                      DTypeBit(DType::F32);
}  // namespace

void VecDuplicate(DType t, void* dst, const void* scalar, int64_t count) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    RequireDType("Duplicate", t, DUPLICATE_DTYPES);
    ModelVector("Duplicate", Repeats(count, DTypeSize(t)));
    ModelAccess(dst, uint64_t(count) * DTypeSize(t), true, "Duplicate", __builtin_return_address(0));
    Fill(t, dst, scalar, count);
}

void VecDuplicateRepeat(DType t, void* dst, const void* scalar, const RepeatShape& s) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    RequireDType("Duplicate", t, DUPLICATE_DTYPES);
    ModelVector("Duplicate", s.repeat);
    if (Model() != nullptr && s.repeat > 0)
        ModelAccess(dst, (uint64_t(s.repeat - 1) * s.dstRep + 8ull * s.dstBlk) * 32, true, "Duplicate");
    const uint32_t size = DTypeSize(t), lanes = 256 / size, perBlock = 32 / size;
    for (uint32_t r = 0; r < s.repeat; ++r)
        for (uint32_t l = 0; l < lanes; ++l)
            if ((s.mask[l / 64] >> (l % 64)) & 1u)
                std::memcpy(static_cast<uint8_t*>(dst) + (uint64_t(r) * s.dstRep + uint64_t(l / perBlock) * s.dstBlk) * 32 +
                                (l % perBlock) * size,
                            scalar, size);
}

// ---- Axpy: dst = src * scalar + dst ------------------------------------------------------------
// One instruction, one rounding (Note [Per-instruction rounding]): the multiply-add is fused in
// fp32 (std::fma, so the result does not depend on -ffp-contract), then fp16 results round once
// more; an fp16 product is exact in fp32, so for fp16 that is the correctly rounded a*s+d.
void VecAxpy(DType dstT, DType srcT, void* dst, const void* src, const void* scalar, int64_t n) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    ModelVector("Axpy", Repeats(n, std::max(DTypeSize(dstT), DTypeSize(srcT))));
    if (Model() != nullptr) {
        ModelAccess(src, uint64_t(n) * DTypeSize(srcT), false, "Axpy", __builtin_return_address(0));
        ModelAccess(dst, uint64_t(n) * DTypeSize(dstT), false, "Axpy", __builtin_return_address(0));
    }
    constexpr int64_t CHUNK = 512;
    alignas(64) float ta[CHUNK];
    alignas(64) float td[CHUNK];
    if (dstT == DType::F32 && srcT == DType::F32) {
        float s;
        std::memcpy(&s, scalar, 4);
        float* d = static_cast<float*>(dst);
        const float* a = static_cast<const float*>(src);
        for (int64_t i = 0; i < n; ++i) d[i] = std::fma(a[i], s, d[i]);
        return;
    }
    if (srcT != DType::F16 || (dstT != DType::F16 && dstT != DType::F32))
        Fail(std::string("Axpy: ") + DTypeName(srcT) + " src with " + DTypeName(dstT) +
             " dst is not supported by the NPU (Axpy takes float16->float16, float32->float32 and "
             "float16 src with float32 dst)");
    uint16_t bits;
    std::memcpy(&bits, scalar, 2);
    const float s = HalfBitsToFloat(bits);
    const uint16_t* a = static_cast<const uint16_t*>(src);
    for (int64_t off = 0; off < n; off += CHUNK) {
        int64_t m = std::min(CHUNK, n - off);
        HalfToFloat(a + off, ta, m);
        if (dstT == DType::F32) {
            float* d = static_cast<float*>(dst) + off;
            for (int64_t i = 0; i < m; ++i) d[i] = std::fma(ta[i], s, d[i]);
            continue;
        }
        uint16_t* d = static_cast<uint16_t*>(dst) + off;
        HalfToFloat(d, td, m);
        for (int64_t i = 0; i < m; ++i) td[i] = std::fma(ta[i], s, td[i]);
        FloatToHalf(td, d, m);
    }
}

// ---- dtype sets (Note [910B dtype table]) --------------------------------------------------------
std::string DTypeList(uint32_t set) {
    // In the order the Ascend C reference lists them.
    static const DType order[] = {DType::I8, DType::U8, DType::I16, DType::U16, DType::F16, DType::BF16,
                                  DType::I32, DType::U32, DType::F32, DType::I64, DType::U64, DType::F64, DType::BOOL};
    std::string out;
    for (DType t : order)
        if (set & DTypeBit(t)) out += (out.empty() ? "" : ", ") + std::string(DTypeName(t));
    return out;
}

void RequireBf16Soc(const char* op) {
    const SocInfo& soc = CoreSoc();
    if (!soc.hasBf16)
        Fail(std::string(op) + ": bfloat16 does not exist on " + soc.name + " (its compiler and vector unit have no bf16 "
             "type; the 910B-class SoCs brought it): register bfloat16 only for SoCs that have it (an "
             "OpAICoreConfig per SoC with AddConfig)");
}

void RequireDType(const char* op, DType t, uint32_t set) {
    if (t == DType::BF16) RequireBf16Soc(op);
    if (set & DTypeBit(t)) return;
    std::string msg = std::string(op) + ": " + DTypeName(t) + " is not supported by the NPU's vector unit (Ascend910B: " +
                      op + " takes " + DTypeList(set) + ")";
    if (t == DType::BF16 && (set & DTypeBit(DType::F32)))
        msg += "; Cast the bfloat16 data to float32 (CAST_NONE), compute, and Cast back (CAST_RINT)";
    Fail(msg);
}

uint32_t DTypeSize(DType t) {
    switch (t) {
        case DType::F16: case DType::BF16: case DType::I16: case DType::U16: return 2;
        case DType::F32: case DType::I32: case DType::U32: return 4;
        case DType::I8: case DType::U8: case DType::BOOL: return 1;
        default: return 8;
    }
}

const char* DTypeName(DType t) {
    static const char* names[] = {"float16", "bfloat16", "float32", "int8", "uint8", "int16", "uint16", "int32",
                                  "uint32", "int64", "uint64", "bool", "float64"};
    return names[static_cast<int>(t)];
}

}  // namespace rt
}  // namespace opkit
