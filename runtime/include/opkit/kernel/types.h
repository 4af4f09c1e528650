// opkit: the scalar types, enums and parameter structs of the Ascend C kernel API on the CPU.
//
// Everything here is an interface fact of Ascend C (names, field order, units) implemented by us.
// `half` and `bfloat16_t` are 16-bit storage types whose conversions round to nearest even, like
// the NPU's scalar unit; arithmetic on them promotes to float (each vector instruction rounds its
// result back, see Note [Per-instruction rounding] in runtime/src/vec.cpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

// Address-space and launch qualifiers are empty on the CPU. `__global__` marks a kernel entry and
// keeps it visible when a kernel library is built with -fvisibility=hidden (one library per dtype
// column, see Note [One library per dtype column] in cmake/OpkitOps.cmake).
#ifndef __global__
#define __global__ __attribute__((visibility("default")))
#endif
// Each is defined only if the source has not (Note [Kernel macros a source may define first]).
#ifndef __aicore__
#define __aicore__
#endif
// __cube__ / __vector__: a kernel that runs on the cube or the vector cores only; on the CPU the
// launch decides (SetKernelMode, or the instructions: Note [Kernel type from the instructions]).
#ifndef __cube__
#define __cube__
#endif
#ifndef __vector__
#define __vector__
#endif
#ifndef __gm__
#define __gm__
#endif
#ifndef __ubuf__
#define __ubuf__
#endif
#ifndef __cbuf__
#define __cbuf__
#endif
#ifndef __ca__
#define __ca__
#endif
#ifndef __cb__
#define __cb__
#endif
#ifndef __cc__
#define __cc__
#endif

typedef __gm__ uint8_t* GM_ADDR;

namespace opkit {

inline uint32_t FloatBits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float BitsFloat(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// IEEE binary32 -> binary16, round to nearest even, overflow to inf, NaN stays NaN.
inline uint16_t FloatToHalfBits(float f) {
    uint32_t x = FloatBits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) {  // inf or NaN
        return static_cast<uint16_t>(sign | (ax > 0x7f800000u ? 0x7e00u | ((ax >> 13) & 0x3ffu) : 0x7c00u));
    }
    if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520
    if (ax < 0x38800000u) {
        // Below 2^-14 the result is subnormal: adding 0.5 puts the value's 2^-24 units in the low
        // mantissa bits of a float, and that float addition is itself the round-to-nearest-even.
        float t = BitsFloat(ax) + 0.5f;
        return static_cast<uint16_t>(sign | (FloatBits(t) - 0x3f000000u));
    }
    uint32_t odd = (ax >> 13) & 1u;
    ax += 0xc8000fffu + odd;  // rebias exponent by -112 and add the rounding bias
    return static_cast<uint16_t>(sign | (ax >> 13));
}

inline float HalfBitsToFloat(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    if (e == 0x1f) return BitsFloat(sign | 0x7f800000u | (m << 13));
    if (e == 0) {
        float v = static_cast<float>(m) * 5.9604644775390625e-08f;  // m * 2^-24, exact
        return BitsFloat(sign | FloatBits(v));
    }
    return BitsFloat(sign | ((e + 112u) << 23) | (m << 13));
}

inline uint16_t FloatToBf16Bits(float f) {
    uint32_t x = FloatBits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return static_cast<uint16_t>(x >> 16);
}
inline float Bf16BitsToFloat(uint16_t b) { return BitsFloat(static_cast<uint32_t>(b) << 16); }

// A 16-bit float storage type. Every conversion from a wider type rounds to nearest even.
template <uint16_t (*ToBits)(float), float (*FromBits)(uint16_t)>
struct Float16Storage {
    uint16_t bits;
    Float16Storage() = default;
    constexpr Float16Storage(uint16_t b, bool /*raw*/) : bits(b) {}
    Float16Storage(float f) : bits(ToBits(f)) {}
    Float16Storage(double d) : bits(ToBits(RoundDoubleToFloatOdd(d))) {}
    template <typename I, typename std::enable_if<std::is_integral<I>::value, int>::type = 0>
    Float16Storage(I i) : Float16Storage(static_cast<double>(i)) {}
    operator float() const { return FromBits(bits); }
    static Float16Storage FromRaw(uint16_t b) { return Float16Storage(b, true); }
    Float16Storage& operator+=(float o) { return *this = Float16Storage(float(*this) + o); }
    Float16Storage& operator-=(float o) { return *this = Float16Storage(float(*this) - o); }
    Float16Storage& operator*=(float o) { return *this = Float16Storage(float(*this) * o); }
    Float16Storage& operator/=(float o) { return *this = Float16Storage(float(*this) / o); }
    Float16Storage operator-() const { return FromRaw(static_cast<uint16_t>(bits ^ 0x8000u)); }

    // double -> float with round-to-odd keeps the later float -> 16-bit rounding exact (no double
    // rounding): a float has more than 2*11+2 bits of precision.
    static float RoundDoubleToFloatOdd(double d) {
        float f = static_cast<float>(d);
        if (!std::isfinite(f) || static_cast<double>(f) == d) return f;
        float toward0 = (std::fabs(static_cast<double>(f)) > std::fabs(d))
                            ? std::nextafter(f, 0.0f) : f;
        uint32_t u = FloatBits(toward0);
        return (u & 1u) ? toward0 : BitsFloat(u + 1u);
    }
};

}  // namespace opkit

using half = opkit::Float16Storage<opkit::FloatToHalfBits, opkit::HalfBitsToFloat>;
using bfloat16_t = opkit::Float16Storage<opkit::FloatToBf16Bits, opkit::Bf16BitsToFloat>;
static_assert(sizeof(half) == 2 && sizeof(bfloat16_t) == 2, "16-bit float storage");

namespace opkit {

// The element types a tensor can hold, as the runtime sees them.
enum class DType : int32_t {
    F16 = 0, BF16, F32, I8, U8, I16, U16, I32, U32, I64, U64, BOOL, F64,
};

template <typename T> struct DTypeOf;
#define OPKIT_DTYPE_OF(T, V) template <> struct DTypeOf<T> { static constexpr DType value = DType::V; }
OPKIT_DTYPE_OF(half, F16);
OPKIT_DTYPE_OF(bfloat16_t, BF16);
OPKIT_DTYPE_OF(float, F32);
OPKIT_DTYPE_OF(double, F64);
OPKIT_DTYPE_OF(int8_t, I8);
OPKIT_DTYPE_OF(uint8_t, U8);
OPKIT_DTYPE_OF(int16_t, I16);
OPKIT_DTYPE_OF(uint16_t, U16);
OPKIT_DTYPE_OF(int32_t, I32);
OPKIT_DTYPE_OF(uint32_t, U32);
OPKIT_DTYPE_OF(int64_t, I64);
OPKIT_DTYPE_OF(uint64_t, U64);
OPKIT_DTYPE_OF(bool, BOOL);
#undef OPKIT_DTYPE_OF

}  // namespace opkit

namespace AscendC {

enum class TPosition : uint8_t {
    GM, A1, A2, B1, B2, C1, C2, CO1, CO2, VECIN, VECOUT, VECCALC, LCM = VECCALC, SPM, SHM = SPM,
    TSCM, C2PIPE2GM, C2PIPE2LOCAL, MAX,
};
using QuePosition = TPosition;

enum class HardEvent : uint8_t {
    MTE2_MTE1, MTE1_MTE2, MTE1_M, M_MTE1, MTE2_V, V_MTE2, MTE3_V, V_MTE3, M_V, V_M, V_V,
    MTE3_MTE1, MTE1_MTE3, MTE1_V, MTE2_M, M_MTE2, V_MTE1, M_FIX, FIX_M, MTE3_MTE2, MTE2_MTE3,
    S_V, V_S, S_MTE2, MTE2_S, S_MTE3, MTE3_S, MTE2_FIX, FIX_MTE2, FIX_S, M_S, FIX_MTE3,
    MTE1_FIX, FIX_MTE1, FIX_FIX, MAX,
};

enum class RoundMode : uint8_t {
    CAST_NONE = 0, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC, CAST_ODD,
};

enum class CMPMODE : uint8_t { LT = 0, GT, EQ, LE, GE, NE };

enum class SELMODE : uint8_t {
    VSEL_CMPMASK_SPR = 0, VSEL_TENSOR_SCALAR_MODE, VSEL_TENSOR_TENSOR_MODE,
};

struct DataCopyParams {
    uint16_t blockCount = 1;
    uint16_t blockLen = 0;   // in 32-byte blocks
    uint16_t srcStride = 0;  // gap between blocks, 32-byte blocks
    uint16_t dstStride = 0;
    DataCopyParams() = default;
    DataCopyParams(uint16_t count, uint16_t len, uint16_t srcGap, uint16_t dstGap)
        : blockCount(count), blockLen(len), srcStride(srcGap), dstStride(dstGap) {}
};

struct DataCopyExtParams {
    uint16_t blockCount = 1;
    uint32_t blockLen = 0;   // in bytes
    uint32_t srcStride = 0;  // bytes on the GM side, 32-byte blocks on the UB side
    uint32_t dstStride = 0;
    uint32_t rsv = 0;
    DataCopyExtParams() = default;
    DataCopyExtParams(uint16_t count, uint32_t len, uint32_t srcGap, uint32_t dstGap, uint32_t r)
        : blockCount(count), blockLen(len), srcStride(srcGap), dstStride(dstGap), rsv(r) {}
};

template <typename T>
struct DataCopyPadExtParams {
    bool isPad = false;
    uint8_t leftPadding = 0;   // elements
    uint8_t rightPadding = 0;  // elements
    T paddingValue = T(0);
    DataCopyPadExtParams() = default;
    DataCopyPadExtParams(bool pad, uint8_t left, uint8_t right, T value)
        : isPad(pad), leftPadding(left), rightPadding(right), paddingValue(value) {}
};

struct DataCopyPadParams {
    bool isPad = false;
    uint8_t leftPadding = 0;
    uint8_t rightPadding = 0;
    uint64_t paddingValue = 0;
    DataCopyPadParams() = default;
    DataCopyPadParams(bool pad, uint8_t left, uint8_t right, uint64_t value)
        : isPad(pad), leftPadding(left), rightPadding(right), paddingValue(value) {}
};

// The extra fields of DataCopy(dst, src, DataCopyParams, DataCopyEnhancedParams): they act only on
// the L0C -> UB copy (CO1 -> CO2) of the SoCs whose results leave the cube through UB (910A,
// 310P); everywhere else the call is the plain strided DataCopy. Note [CO1 -> CO2 copy] in
// runtime/src/cube_co2.cpp has the units and conversions.
enum class BlockMode : uint8_t {
    BLOCK_MODE_NORMAL = 0, BLOCK_MODE_MATRIX, BLOCK_MODE_VECTOR, BLOCK_MODE_SMALL_CHANNEL, BLOCK_MODE_DEPTHWISE,
};
enum class DeqScale : uint8_t { DEQ_NONE = 0, DEQ, VDEQ, DEQ8, VDEQ8, DEQ16, VDEQ16 };

}  // namespace AscendC

// The padding mode of a copy: a compiler-provided plain enum at global scope on the NPU, so kernels
// write both `pad_t::PAD_NONE` and `PAD_NONE`.
enum pad_t : uint8_t {
    PAD_NONE = 0, PAD_MODE1, PAD_MODE2, PAD_MODE3, PAD_MODE4, PAD_MODE5, PAD_MODE6, PAD_MODE7, PAD_MODE8,
};

namespace AscendC {

struct DataCopyEnhancedParams {
    DataCopyEnhancedParams() = default;
    DataCopyEnhancedParams(BlockMode blockModeIn, DeqScale deqScaleIn, uint64_t deqValueIn, uint8_t sidStoreModeIn,
                           bool isReluIn, pad_t padModeIn, uint64_t padValueIn)
        : blockMode(blockModeIn), deqScale(deqScaleIn), deqValue(deqValueIn), sidStoreMode(sidStoreModeIn),
          isRelu(isReluIn), padMode(padModeIn), padValue(padValueIn) {}
    BlockMode blockMode = BlockMode::BLOCK_MODE_NORMAL;
    DeqScale deqScale = DeqScale::DEQ_NONE;
    uint64_t deqValue = 0;       // the scale (and, for DEQ8/DEQ16, shift/offset/flag bits)
    uint8_t sidStoreMode = 0;    // DEQ8/VDEQ8 only: which half of each 32-byte block holds the result
    bool isRelu = false;
    pad_t padMode = PAD_NONE;    // reserved
    uint64_t padValue = 0;
    uint64_t deqTensorAddr = 0;  // VDEQ*: the UB address of the per-channel scale vector
};

constexpr uint8_t DEFAULT_BLK_STRIDE = 1;
constexpr uint8_t DEFAULT_REPEAT_STRIDE = 8;
constexpr uint32_t ONE_BLK_SIZE = 32;
constexpr uint32_t ONE_REPEAT_BYTE_SIZE = 256;
constexpr int32_t MAX_REPEAT_TIMES = 255;
constexpr int32_t DEFAULT_C0_SIZE = 32;  // bytes of one C0 row (kernel_utils_constants.h)
constexpr int32_t DEFAULT_BLOCK_SIZE = 256;

struct BinaryRepeatParams {
    uint8_t dstBlkStride = DEFAULT_BLK_STRIDE;
    uint8_t src0BlkStride = DEFAULT_BLK_STRIDE;
    uint8_t src1BlkStride = DEFAULT_BLK_STRIDE;
    uint8_t dstRepStride = DEFAULT_REPEAT_STRIDE;
    uint8_t src0RepStride = DEFAULT_REPEAT_STRIDE;
    uint8_t src1RepStride = DEFAULT_REPEAT_STRIDE;
    BinaryRepeatParams() = default;
    BinaryRepeatParams(uint8_t dBlk, uint8_t s0Blk, uint8_t s1Blk, uint8_t dRep, uint8_t s0Rep,
                       uint8_t s1Rep)
        : dstBlkStride(dBlk), src0BlkStride(s0Blk), src1BlkStride(s1Blk), dstRepStride(dRep),
          src0RepStride(s0Rep), src1RepStride(s1Rep) {}
};

struct UnaryRepeatParams {
    uint16_t dstBlkStride = DEFAULT_BLK_STRIDE;
    uint16_t srcBlkStride = DEFAULT_BLK_STRIDE;
    uint8_t dstRepStride = DEFAULT_REPEAT_STRIDE;
    uint8_t srcRepStride = DEFAULT_REPEAT_STRIDE;
    UnaryRepeatParams() = default;
    UnaryRepeatParams(uint16_t dBlk, uint16_t sBlk, uint8_t dRep, uint8_t sRep)
        : dstBlkStride(dBlk), srcBlkStride(sBlk), dstRepStride(dRep), srcRepStride(sRep) {}
};

}  // namespace AscendC

// Pipes, spelled as in Ascend C (global scope).
enum pipe_t : uint8_t {
    PIPE_S = 0, PIPE_V, PIPE_M, PIPE_MTE1, PIPE_MTE2, PIPE_MTE3, PIPE_ALL, PIPE_MTE4, PIPE_MTE5,
    PIPE_V2, PIPE_FIX,
};
enum event_t : uint8_t {
    EVENT_ID0 = 0, EVENT_ID1, EVENT_ID2, EVENT_ID3, EVENT_ID4, EVENT_ID5, EVENT_ID6, EVENT_ID7,
};

// CPU-debug programs name it unqualified (KernelMode::AIV_MODE) and through AscendC::.
enum class KernelMode : uint8_t { MIX_MODE = 0, AIC_MODE, AIV_MODE, MIX_AIC_1_1 };
namespace AscendC {
using ::KernelMode;
}  // namespace AscendC
