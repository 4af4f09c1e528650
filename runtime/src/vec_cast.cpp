// opkit: Cast with every RoundMode, Compare/Select, and the reductions.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "opkit/rt/api.h"
#include "vec_internal.h"

namespace opkit {
namespace rt {
namespace {

using AscendC::RoundMode;

double Load(DType t, const void* p, int64_t i) {
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
        case DType::I64: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
        case DType::U64: return static_cast<double>(static_cast<const uint64_t*>(p)[i]);
    }
    return 0;
}

// `v` is already representable in t (RoundToFormat ran first).
void Store(DType t, void* p, int64_t i, double v) {
    switch (t) {
        case DType::F16: static_cast<uint16_t*>(p)[i] = FloatToHalfBits(static_cast<float>(v)); break;
        case DType::BF16: static_cast<uint16_t*>(p)[i] = FloatToBf16Bits(static_cast<float>(v)); break;
        case DType::F32: static_cast<float*>(p)[i] = static_cast<float>(v); break;
        case DType::F64: static_cast<double*>(p)[i] = v; break;
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
double RoundInteger(double x, RoundMode mode) {
    switch (mode) {
        case RoundMode::CAST_FLOOR: return std::floor(x);
        case RoundMode::CAST_CEIL: return std::ceil(x);
        case RoundMode::CAST_ROUND: return std::round(x);  // half away from zero
        case RoundMode::CAST_TRUNC: return std::trunc(x);
        case RoundMode::CAST_ODD: {
            double t = std::trunc(x);
            if (t != x && std::fmod(t, 2.0) == 0.0) t += std::copysign(1.0, x);
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

double RoundToFormat(double v, DType t, RoundMode mode) {
    if (IsFloat(t)) {
        if (t == DType::F64 || v == 0.0 || !std::isfinite(v)) return v;
        const FloatFormat f = FormatOf(t);
        int e = std::max(std::ilogb(v), f.minExp);
        double scaled = std::ldexp(v, f.precision - 1 - e);  // exact: a power-of-two scaling
        double r = std::ldexp(RoundInteger(scaled, mode), e - (f.precision - 1));
        if (std::fabs(r) > f.maxFinite)
            return RoundsAwayOnOverflow(mode, v < 0) ? std::copysign(INFINITY, v) : std::copysign(f.maxFinite, v);
        return r;
    }
    // Integer destinations saturate; NaN converts to 0.
    if (std::isnan(v)) return 0.0;
    double lo = 0, hi = 0;
    switch (t) {
        case DType::I8: lo = -128; hi = 127; break;
        case DType::U8: case DType::BOOL: lo = 0; hi = 255; break;
        case DType::I16: lo = -32768; hi = 32767; break;
        case DType::U16: lo = 0; hi = 65535; break;
        case DType::I32: lo = -2147483648.0; hi = 2147483647.0; break;
        case DType::U32: lo = 0; hi = 4294967295.0; break;
        case DType::I64: lo = -9223372036854775808.0; hi = 9223372036854774784.0; break;
        default: lo = 0; hi = 18446744073709549568.0; break;
    }
    return std::min(hi, std::max(lo, RoundInteger(v, mode)));
}

void VecCast(DType dt, DType st, RoundMode mode, void* dst, const void* src, int64_t n) {
    const bool nearest = mode == RoundMode::CAST_NONE || mode == RoundMode::CAST_RINT;
    // Fast paths for the casts kernels use in their inner loops.
    if (st == DType::F16 && dt == DType::F32) return HalfToFloat(static_cast<const uint16_t*>(src), static_cast<float*>(dst), n);
    if (st == DType::BF16 && dt == DType::F32) return Bf16ToFloat(static_cast<const uint16_t*>(src), static_cast<float*>(dst), n);
    if (st == DType::F32 && dt == DType::F16 && nearest)
        return FloatToHalf(static_cast<const float*>(src), static_cast<uint16_t*>(dst), n);
    if (st == DType::F32 && dt == DType::BF16 && nearest)
        return FloatToBf16(static_cast<const float*>(src), static_cast<uint16_t*>(dst), n);
    if (st == dt && nearest) {
        std::memmove(dst, src, uint64_t(n) * DTypeSize(st));
        return;
    }
    // General path: every source value is exact in double (int64 beyond 2^53 aside), then one
    // rounding to the destination in the requested mode.
    for (int64_t i = 0; i < n; ++i) Store(dt, dst, i, RoundToFormat(Load(st, src, i), dt, mode));
}

void VecCastRepeat(DType dt, DType st, RoundMode mode, void* dst, const void* src, const RepeatShape& s) {
    const uint32_t ds = DTypeSize(dt), ss = DTypeSize(st);
    const uint32_t lanes = 256 / std::max(ds, ss);
    alignas(64) uint8_t tin[256], tout[256];
    for (uint32_t r = 0; r < s.repeat; ++r) {
        for (uint32_t l = 0; l < lanes; ++l) {
            const uint8_t* p = static_cast<const uint8_t*>(src) + (uint64_t(r) * s.src0Rep + uint64_t(l / (32 / ss)) * s.src0Blk) * 32 + (l % (32 / ss)) * ss;
            std::memcpy(tin + l * ss, p, ss);
        }
        VecCast(dt, st, mode, tout, tin, lanes);
        for (uint32_t l = 0; l < lanes; ++l) {
            if (!((s.mask[l / 64] >> (l % 64)) & 1u)) continue;
            uint8_t* p = static_cast<uint8_t*>(dst) + (uint64_t(r) * s.dstRep + uint64_t(l / (32 / ds)) * s.dstBlk) * 32 + (l % (32 / ds)) * ds;
            std::memcpy(p, tout + l * ds, ds);
        }
    }
}

void VecCompare(DType t, AscendC::CMPMODE mode, uint8_t* dst, const void* a, const void* b, bool bIsScalar, int64_t n) {
    using AscendC::CMPMODE;
    std::memset(dst, 0, static_cast<size_t>((n + 7) / 8));
    const double s = bIsScalar ? Load(t, b, 0) : 0.0;
    for (int64_t i = 0; i < n; ++i) {
        double x = Load(t, a, i), y = bIsScalar ? s : Load(t, b, i);
        bool r = false;
        switch (mode) {
            case CMPMODE::LT: r = x < y; break;
            case CMPMODE::GT: r = x > y; break;
            case CMPMODE::EQ: r = x == y; break;
            case CMPMODE::LE: r = x <= y; break;
            case CMPMODE::GE: r = x >= y; break;
            case CMPMODE::NE: r = x != y; break;
        }
        dst[i / 8] |= static_cast<uint8_t>(r) << (i % 8);
    }
}

void VecSelect(DType t, void* dst, const uint8_t* mask, const void* a, const void* b, bool bIsScalar, int64_t n) {
    const uint32_t size = DTypeSize(t);
    auto* d = static_cast<uint8_t*>(dst);
    auto* pa = static_cast<const uint8_t*>(a);
    auto* pb = static_cast<const uint8_t*>(b);
    for (int64_t i = 0; i < n; ++i) {
        bool bit = (mask[i / 8] >> (i % 8)) & 1u;
        const uint8_t* from = bit ? pa + i * size : (bIsScalar ? pb : pb + i * size);
        std::memcpy(d + i * size, from, size);
    }
}

// Reductions: the NPU reduces each 256-byte repeat, then the per-repeat partials. Partials are
// rounded to the element type, as the hardware writes them to the work tensor.
void VecReduce(Reduce r, DType t, void* dst, const void* src, int64_t n, bool withIndex) {
    const int64_t lanes = 256 / DTypeSize(t);
    double best = Load(t, src, 0);
    int64_t bestIdx = 0;
    double total = 0;
    for (int64_t start = 0; start < n; start += lanes) {
        int64_t end = std::min(n, start + lanes);
        double part = 0;
        for (int64_t i = start; i < end; ++i) {
            double v = Load(t, src, i);
            part += v;
            if ((r == Reduce::MAX && v > best) || (r == Reduce::MIN && v < best)) {
                best = v;
                bestIdx = i;
            }
        }
        total += RoundToFormat(part, t, RoundMode::CAST_RINT);
    }
    if (r == Reduce::SUM) {
        Store(t, dst, 0, RoundToFormat(total, t, RoundMode::CAST_RINT));
        return;
    }
    Store(t, dst, 0, best);
    if (withIndex) {
        // The index is stored as an integer's bits in the element after the value.
        uint8_t* slot = static_cast<uint8_t*>(dst) + DTypeSize(t);
        if (DTypeSize(t) == 2) { uint16_t v = static_cast<uint16_t>(bestIdx); std::memcpy(slot, &v, 2); }
        else { uint32_t v = static_cast<uint32_t>(bestIdx); std::memcpy(slot, &v, 4); }
    }
}

void VecWholeReduce(Reduce r, DType t, void* dst, const void* src, int64_t per, int64_t groups, bool withIndex) {
    const uint32_t size = DTypeSize(t);
    for (int64_t g = 0; g < groups; ++g)
        VecReduce(r, t, static_cast<uint8_t*>(dst) + g * size * (withIndex ? 2 : 1),
                  static_cast<const uint8_t*>(src) + g * per * size, per, withIndex);
}

}  // namespace rt
}  // namespace opkit
