// opkit: the vector instructions (UB -> UB, pipe V).
//
// The headers validate operands (position, 32-byte alignment, arena bounds) and hand each
// instruction to the runtime's precompiled loops (runtime/src/vec*.cpp) in one call.
#pragma once

#include "opkit/kernel/tensor.h"

namespace AscendC {
namespace detail {

template <typename T> struct Id { using type = T; };
template <typename T> using NoDeduce = typename Id<T>::type;

// Check one vector operand: UB-resident, 32-byte aligned, `bytes` inside the arena.
void CheckVecOperand(const void* addr, TPosition pos, uint64_t bytes, const char* op);
int64_t CheckCount(int64_t count, const char* op);

template <typename T>
inline void Operand(const LocalTensor<T>& t, int64_t count, const char* op) {
    UseData(t, uint64_t(count), op);
    CheckVecOperand(t.addr_, t.pos_, uint64_t(count) * sizeof(T), op);
}

// Build the runtime's repeat description from the API's mask and strides.
opkit::rt::RepeatShape MaskShape(uint64_t maskCount, int32_t laneCount, int32_t repeat);
opkit::rt::RepeatShape MaskShape(const uint64_t mask[2], int32_t laneCount, int32_t repeat);
opkit::rt::RepeatShape CurrentMaskShape(int32_t laneCount, int32_t repeat);  // isSetMask=false
void CheckRepeatOperand(const void* addr, TPosition pos, const opkit::rt::RepeatShape& s,
                        uint16_t blk, uint16_t rep, uint32_t elemBytes, const char* op);

template <typename T, bool isSetMask, typename M>
opkit::rt::RepeatShape Shape(M mask, int32_t repeat) {
    constexpr int32_t lanes = 256 / sizeof(T);
    return isSetMask ? MaskShape(mask, lanes, repeat) : CurrentMaskShape(lanes, repeat);
}

template <typename T>
void BinaryCount(opkit::rt::VOp op, const char* name, const LocalTensor<T>& dst, const LocalTensor<T>& a,
                 const LocalTensor<T>& b, int32_t count) {
    int64_t n = CheckCount(count, name);
    Operand(dst, n, name); Operand(a, n, name); Operand(b, n, name);
    opkit::rt::VecBinary(op, opkit::DTypeOf<T>::value, dst.addr_, a.addr_, b.addr_, n);
}

template <typename T>
void BinaryRepeat(opkit::rt::VOp op, const char* name, const LocalTensor<T>& dst, const LocalTensor<T>& a,
                  const LocalTensor<T>& b, const void* scalar, opkit::rt::RepeatShape s) {
    CheckRepeatOperand(dst.addr_, dst.pos_, s, s.dstBlk, s.dstRep, sizeof(T), name);
    CheckRepeatOperand(a.addr_, a.pos_, s, s.src0Blk, s.src0Rep, sizeof(T), name);
    if (scalar == nullptr) CheckRepeatOperand(b.addr_, b.pos_, s, s.src1Blk, s.src1Rep, sizeof(T), name);
    opkit::rt::VecRepeat(op, opkit::DTypeOf<T>::value, dst.addr_, a.addr_, scalar ? nullptr : b.addr_, scalar, s);
}

inline opkit::rt::RepeatShape WithStrides(opkit::rt::RepeatShape s, const BinaryRepeatParams& p) {
    s.dstBlk = p.dstBlkStride; s.src0Blk = p.src0BlkStride; s.src1Blk = p.src1BlkStride;
    s.dstRep = p.dstRepStride; s.src0Rep = p.src0RepStride; s.src1Rep = p.src1RepStride;
    return s;
}
inline opkit::rt::RepeatShape WithStrides(opkit::rt::RepeatShape s, const UnaryRepeatParams& p) {
    s.dstBlk = p.dstBlkStride; s.src0Blk = p.srcBlkStride; s.src1Blk = 0;
    s.dstRep = p.dstRepStride; s.src0Rep = p.srcRepStride; s.src1Rep = 0;
    return s;
}

}  // namespace detail

// ---- binary: dst = src0 op src1 -----------------------------------------------------------------
#define OPKIT_BINARY(NAME, VOP)                                                                        \
    template <typename T>                                                                              \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0,                 \
                                const LocalTensor<T>& src1, const int32_t& count) {                    \
        detail::BinaryCount(opkit::rt::VOp::VOP, #NAME, dst, src0, src1, count);                       \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0,                 \
                                const LocalTensor<T>& src1, uint64_t mask, const int32_t repeatTimes, \
                                const BinaryRepeatParams& p) {                                         \
        detail::BinaryRepeat(opkit::rt::VOp::VOP, #NAME, dst, src0, src1, nullptr,                    \
                             detail::WithStrides(detail::Shape<T, isSetMask>(mask, repeatTimes), p));  \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0,                 \
                                const LocalTensor<T>& src1, const uint64_t mask[],                     \
                                const int32_t repeatTimes, const BinaryRepeatParams& p) {              \
        detail::BinaryRepeat(opkit::rt::VOp::VOP, #NAME, dst, src0, src1, nullptr,                    \
                             detail::WithStrides(detail::Shape<T, isSetMask>(mask, repeatTimes), p));  \
    }

OPKIT_BINARY(Add, ADD)
OPKIT_BINARY(Sub, SUB)
OPKIT_BINARY(Mul, MUL)
OPKIT_BINARY(Div, DIV)
OPKIT_BINARY(Max, MAX)
OPKIT_BINARY(Min, MIN)
OPKIT_BINARY(And, AND)
OPKIT_BINARY(Or, OR)
#undef OPKIT_BINARY

// ---- tensor-scalar: dst = src op scalar ---------------------------------------------------------
#define OPKIT_SCALAR(NAME, VOP)                                                                        \
    template <typename T>                                                                              \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,                  \
                                const detail::NoDeduce<T>& scalar, const int32_t& count) {             \
        int64_t n = detail::CheckCount(count, #NAME);                                                  \
        detail::Operand(dst, n, #NAME);                                                                \
        detail::Operand(src, n, #NAME);                                                                \
        opkit::rt::VecScalar(opkit::rt::VOp::VOP, opkit::DTypeOf<T>::value, dst.addr_, src.addr_,    \
                             &scalar, n);                                                              \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,                  \
                                const detail::NoDeduce<T>& scalar, uint64_t mask,                      \
                                const int32_t repeatTimes, const UnaryRepeatParams& p) {               \
        T s = scalar;                                                                                  \
        detail::BinaryRepeat(opkit::rt::VOp::VOP, #NAME, dst, src, src, &s,                           \
                             detail::WithStrides(detail::Shape<T, isSetMask>(mask, repeatTimes), p));  \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,                  \
                                const detail::NoDeduce<T>& scalar, const uint64_t mask[],              \
                                const int32_t repeatTimes, const UnaryRepeatParams& p) {               \
        T s = scalar;                                                                                  \
        detail::BinaryRepeat(opkit::rt::VOp::VOP, #NAME, dst, src, src, &s,                           \
                             detail::WithStrides(detail::Shape<T, isSetMask>(mask, repeatTimes), p));  \
    }

OPKIT_SCALAR(Adds, ADDS)
OPKIT_SCALAR(Muls, MULS)
OPKIT_SCALAR(Maxs, MAXS)
OPKIT_SCALAR(Mins, MINS)
OPKIT_SCALAR(LeakyRelu, LEAKY_RELU)
OPKIT_SCALAR(ShiftLeft, SHIFT_LEFT)
OPKIT_SCALAR(ShiftRight, SHIFT_RIGHT)
#undef OPKIT_SCALAR

// ---- unary: dst = f(src) ------------------------------------------------------------------------
#define OPKIT_UNARY(NAME, VOP)                                                                         \
    template <typename T>                                                                              \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,                  \
                                const int32_t& count) {                                                \
        int64_t n = detail::CheckCount(count, #NAME);                                                  \
        detail::Operand(dst, n, #NAME);                                                                \
        detail::Operand(src, n, #NAME);                                                                \
        opkit::rt::VecUnary(opkit::rt::VOp::VOP, opkit::DTypeOf<T>::value, dst.addr_, src.addr_, n); \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src, uint64_t mask,   \
                                const int32_t repeatTimes, const UnaryRepeatParams& p) {               \
        detail::BinaryRepeat(opkit::rt::VOp::VOP, #NAME, dst, src, src, nullptr,                      \
                             detail::WithStrides(detail::Shape<T, isSetMask>(mask, repeatTimes), p));  \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,                  \
                                const uint64_t mask[], const int32_t repeatTimes,                      \
                                const UnaryRepeatParams& p) {                                          \
        detail::BinaryRepeat(opkit::rt::VOp::VOP, #NAME, dst, src, src, nullptr,                      \
                             detail::WithStrides(detail::Shape<T, isSetMask>(mask, repeatTimes), p));  \
    }

OPKIT_UNARY(Exp, EXP)
OPKIT_UNARY(Ln, LN)
OPKIT_UNARY(Abs, ABS)
OPKIT_UNARY(Reciprocal, RECIPROCAL)
OPKIT_UNARY(Sqrt, SQRT)
OPKIT_UNARY(Rsqrt, RSQRT)
OPKIT_UNARY(Relu, RELU)
OPKIT_UNARY(Not, NOT)
#undef OPKIT_UNARY

// ---- Cast ---------------------------------------------------------------------------------------
template <typename D, typename S>
__aicore__ inline void Cast(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                            const uint32_t count) {
    int64_t n = detail::CheckCount(count, "Cast");
    detail::Operand(dst, n, "Cast");
    detail::Operand(src, n, "Cast");
    opkit::rt::VecCast(opkit::DTypeOf<D>::value, opkit::DTypeOf<S>::value, mode, dst.addr_, src.addr_, n);
}

namespace detail {
template <typename D, typename S, bool isSetMask = true, typename M>
inline void CastRepeat(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                       M mask, int32_t repeatTimes, const UnaryRepeatParams& p) {
    constexpr uint32_t wide = sizeof(D) > sizeof(S) ? sizeof(D) : sizeof(S);
    auto s = WithStrides(Shape<uint8_t[wide], isSetMask>(mask, repeatTimes), p);
    CheckRepeatOperand(dst.addr_, dst.pos_, s, s.dstBlk, s.dstRep, sizeof(D), "Cast");
    CheckRepeatOperand(src.addr_, src.pos_, s, s.src0Blk, s.src0Rep, sizeof(S), "Cast");
    opkit::rt::VecCastRepeat(opkit::DTypeOf<D>::value, opkit::DTypeOf<S>::value, mode, dst.addr_, src.addr_, s);
}
}  // namespace detail
template <typename D, typename S, bool isSetMask = true>
__aicore__ inline void Cast(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                            uint64_t mask, const int32_t repeatTimes, const UnaryRepeatParams& p) {
    detail::CastRepeat<D, S, isSetMask>(dst, src, mode, mask, repeatTimes, p);
}
template <typename D, typename S, bool isSetMask = true>
__aicore__ inline void Cast(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                            const uint64_t mask[], const int32_t repeatTimes, const UnaryRepeatParams& p) {
    detail::CastRepeat<D, S, isSetMask>(dst, src, mode, mask, repeatTimes, p);
}

// ---- Axpy: dst = src * scalar + dst ------------------------------------------------------------
// T = U (half or float), or T = float with U = half. One rounding per element.
template <typename T, typename U>
__aicore__ inline void Axpy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const detail::NoDeduce<U> scalar,
                            const int32_t& count) {
    int64_t n = detail::CheckCount(count, "Axpy");
    detail::Operand(dst, n, "Axpy");
    detail::Operand(src, n, "Axpy");
    opkit::rt::VecAxpy(opkit::DTypeOf<T>::value, opkit::DTypeOf<U>::value, dst.addr_, src.addr_, &scalar, n);
}

// ---- Compare / Select ---------------------------------------------------------------------------
// Compare writes one bit per element (LSB first) into dst (uint8_t, or any type reinterpreted as
// bytes). Note [Compare works in whole repeats]: count*sizeof(T) should be a multiple of 256; the
// NPU compares only floor(count*sizeof(T)/256) whole repeats and leaves the rest of dst as it was,
// and so does the CPU.
namespace detail {
template <typename T, typename U>
int64_t CompareOperands(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>* src1,
                        uint32_t count, const char* name) {
    constexpr int64_t lanes = 256 / sizeof(T);
    const int64_t n = int64_t(count) / lanes * lanes;  // Note [Compare works in whole repeats]
    Operand(src0, n, name);
    if (src1 != nullptr) Operand(*src1, n, name);
    CheckVecOperand(dst.addr_, dst.pos_, uint64_t(n) / 8, name);
    return n;
}
}  // namespace detail

template <typename T, typename U>
__aicore__ inline void Compare(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,
                               CMPMODE mode, uint32_t count) {
    detail::CompareOperands(dst, src0, &src1, count, "Compare");
    opkit::rt::VecCompare(opkit::DTypeOf<T>::value, mode, reinterpret_cast<uint8_t*>(dst.addr_), src0.addr_,
                          src1.addr_, false, count);
}
template <typename T, typename U>
__aicore__ inline void Compares(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const detail::NoDeduce<T> scalar,
                                CMPMODE mode, uint32_t count) {
    detail::CompareOperands<T, U>(dst, src0, nullptr, count, "Compares");
    opkit::rt::VecCompare(opkit::DTypeOf<T>::value, mode, reinterpret_cast<uint8_t*>(dst.addr_), src0.addr_,
                          &scalar, true, count);
}
// The name before CANN 8 renamed it to Compares; same instruction.
template <typename T, typename U>
__aicore__ inline void CompareScalar(const LocalTensor<U>& dst, const LocalTensor<T>& src0,
                                     const detail::NoDeduce<T> scalar, CMPMODE mode, uint32_t count) {
    Compares(dst, src0, scalar, mode, count);
}

// Select: where the selMask bit is 1 take src0, else src1 (a tensor, or a scalar in
// VSEL_TENSOR_SCALAR_MODE). In VSEL_CMPMASK_SPR every 256-byte repeat reuses the first
// 256/sizeof(T) bits of selMask; the other modes consume consecutive bits.
namespace detail {
template <typename T, typename U>
void SelectMaskOperand(const LocalTensor<U>& selMask, SELMODE mode, int64_t n) {
    const uint64_t bits = mode == SELMODE::VSEL_CMPMASK_SPR ? 256 / sizeof(T) : uint64_t(n);
    CheckVecOperand(selMask.addr_, selMask.pos_, (bits + 7) / 8, "Select");
}
}  // namespace detail

template <typename T, typename U>
__aicore__ inline void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
                              const LocalTensor<T>& src1, SELMODE mode, uint32_t count) {
    int64_t n = detail::CheckCount(count, "Select");
    if (mode == SELMODE::VSEL_TENSOR_SCALAR_MODE)
        opkit::rt::Fail("Select: VSEL_TENSOR_SCALAR_MODE takes a scalar src1, not a tensor");
    detail::Operand(dst, n, "Select"); detail::Operand(src0, n, "Select"); detail::Operand(src1, n, "Select");
    detail::SelectMaskOperand<T>(selMask, mode, n);
    opkit::rt::VecSelect(opkit::DTypeOf<T>::value, mode, dst.addr_, reinterpret_cast<const uint8_t*>(selMask.addr_),
                         src0.addr_, src1.addr_, n);
}
template <typename T, typename U>
__aicore__ inline void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
                              detail::NoDeduce<T> src1, SELMODE mode, uint32_t count) {
    int64_t n = detail::CheckCount(count, "Select");
    if (mode != SELMODE::VSEL_TENSOR_SCALAR_MODE)
        opkit::rt::Fail("Select: a scalar src1 needs SELMODE::VSEL_TENSOR_SCALAR_MODE");
    detail::Operand(dst, n, "Select"); detail::Operand(src0, n, "Select");
    detail::SelectMaskOperand<T>(selMask, mode, n);
    opkit::rt::VecSelect(opkit::DTypeOf<T>::value, mode, dst.addr_, reinterpret_cast<const uint8_t*>(selMask.addr_),
                         src0.addr_, &src1, n);
}

// ---- reductions ---------------------------------------------------------------------------------
// The summation order is the NPU's (Note [Reduction order] in runtime/src/vec_cast.cpp): a pairwise
// tree inside each 256-byte repeat, fp16 partials saturating at +-65504.
enum class ReduceOrder : uint8_t { ORDER_VALUE_INDEX = 0, ORDER_INDEX_VALUE, ORDER_ONLY_VALUE, ORDER_ONLY_INDEX };

namespace detail {
// Reduction results need only element alignment (2 bytes for half, 4 for float), not 32 bytes.
inline void CheckUbSpan(const void* addr, TPosition pos, uint64_t bytes, uint32_t align, const char* op) {
    using opkit::rt::Mem;
    if (MemOf(pos) != Mem::UB)
        opkit::rt::Fail(std::string(op) + ": vector instructions work on UB tensors, this one is in " + PositionName(pos));
    CheckInArena(addr, bytes, Mem::UB, op);
    const uint64_t off = uint64_t(static_cast<const uint8_t*>(addr) - opkit::rt::MemBase(Mem::UB));
    if (off % align != 0)
        opkit::rt::Fail(std::string(op) + ": the destination's UB offset " + std::to_string(off) + " is not " +
                        std::to_string(align) + "-byte aligned, as the NPU requires");
}

// Elements of sharedTmpBuffer ReduceMax/ReduceMin need for `repeats` repeats (the API reference's
// formula: the hardware emits (value, index) pairs, then reduces them again for the index).
template <typename T>
int64_t MaxMinWorkElems(int64_t repeats, bool withIndex) {
    constexpr int64_t eb = 32 / sizeof(T), er = 256 / sizeof(T);
    auto up = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
    const int64_t it1 = 2 * repeats, s2 = up(it1, eb) * eb;
    if (!withIndex) return s2;
    const int64_t it2 = up(it1, er) * 2;
    int64_t need = s2 + up(it2, eb) * eb;
    if (it2 > 2) need += up(up(it2, er) * 2, eb) * eb;
    return need;
}

template <typename T>
void ReduceCount(opkit::rt::Reduce r, const char* name, const LocalTensor<T>& dst, const LocalTensor<T>& src,
                 const LocalTensor<T>& work, int32_t count, bool withIndex) {
    int64_t n = CheckCount(count, name);
    if (n == 0) opkit::rt::Fail(std::string(name) + ": count must be at least 1");
    if (withIndex && sizeof(T) == 2 && n > 65536)
        opkit::rt::Fail(std::string(name) + ": with calIndex a half reduction holds the index in 16 bits, so count " +
                        std::to_string(n) + " exceeds the 65536 elements it can index; reduce in parts");
    Operand(src, n, name);
    CheckUbSpan(dst.addr_, dst.pos_, (withIndex ? 2 : 1) * sizeof(T), sizeof(T), name);
    // ReduceSum's count form does not use the work tensor on 910B; Max/Min need the formula's size.
    if (r != opkit::rt::Reduce::SUM) {
        const int64_t repeats = (n * int64_t(sizeof(T)) + 255) / 256;
        CheckVecOperand(work.addr_, work.pos_, uint64_t(MaxMinWorkElems<T>(repeats, withIndex)) * sizeof(T), name);
    }
    opkit::rt::VecReduce(r, opkit::DTypeOf<T>::value, dst.addr_, src.addr_, n, withIndex);
}

// Level-0 ReduceSum/Max/Min: `repeat` repeats (srcRepStride blocks apart) of the masked lanes.
template <typename T, typename M>
void ReduceRepeat(opkit::rt::Reduce r, const char* name, const LocalTensor<T>& dst, const LocalTensor<T>& src,
                  const LocalTensor<T>& work, M mask, int32_t repeat, int32_t srcRepStride, bool withIndex) {
    if (repeat < 0) opkit::rt::Fail(std::string(name) + ": negative repeatTime " + std::to_string(repeat));
    if (srcRepStride < 0 || srcRepStride > 65535)
        opkit::rt::Fail(std::string(name) + ": srcRepStride " + std::to_string(srcRepStride) + " is outside 0..65535");
    if (repeat == 0) return;  // a NOP on the NPU
    auto s = Shape<T, true>(mask, 1);
    s.src0Blk = 1;
    s.src0Rep = uint16_t(srcRepStride);
    CheckVecOperand(src.addr_, src.pos_, uint64_t(repeat - 1) * uint64_t(srcRepStride) * 32u + 256u, name);
    CheckUbSpan(dst.addr_, dst.pos_, (withIndex ? 2 : 1) * sizeof(T), sizeof(T), name);
    const int64_t workElems = r == opkit::rt::Reduce::SUM
                                  ? (int64_t(repeat) + 32 / int64_t(sizeof(T)) - 1) / (32 / int64_t(sizeof(T))) * (32 / int64_t(sizeof(T)))
                                  : MaxMinWorkElems<T>(repeat, withIndex);
    CheckVecOperand(work.addr_, work.pos_, uint64_t(workElems) * sizeof(T), name);
    opkit::rt::VecReduceRepeats(r, opkit::DTypeOf<T>::value, dst.addr_, src.addr_, s, repeat, withIndex);
}

// WholeReduce*/BlockReduceSum/PairReduceSum: one record per group of lanes in each repeat.
// dstRepUnit is the byte size dstRepStride counts in.
template <typename T, bool isSetMask, typename M>
void ReduceGroups(opkit::rt::Reduce r, const char* name, const LocalTensor<T>& dst, const LocalTensor<T>& src, M mask,
                  int32_t repeat, int32_t dstRepStride, int32_t srcBlkStride, int32_t srcRepStride, uint32_t groupLanes,
                  opkit::rt::ReduceLayout layout, uint32_t dstRepUnit, uint32_t dstAlign) {
    if (repeat < 0 || repeat > MAX_REPEAT_TIMES)
        opkit::rt::Fail(std::string(name) + ": repeatTime " + std::to_string(repeat) + " is outside 0..255");
    if (dstRepStride < 0 || srcBlkStride < 0 || srcRepStride < 0 || srcBlkStride > 65535 || srcRepStride > 65535)
        opkit::rt::Fail(std::string(name) + ": strides must lie in 0..65535 (got dstRepStride " + std::to_string(dstRepStride) +
                        ", srcBlkStride " + std::to_string(srcBlkStride) + ", srcRepStride " + std::to_string(srcRepStride) + ")");
    if (repeat == 0) return;  // a NOP on the NPU
    auto s = Shape<T, isSetMask>(mask, repeat);
    s.src0Blk = uint16_t(srcBlkStride);
    s.src0Rep = uint16_t(srcRepStride);
    CheckRepeatOperand(src.addr_, src.pos_, s, s.src0Blk, s.src0Rep, sizeof(T), name);
    const uint32_t record = opkit::rt::ReduceRecordBytes(r, opkit::DTypeOf<T>::value, layout);
    const uint64_t dstRepBytes = uint64_t(dstRepStride) * dstRepUnit;
    const uint64_t groups = 256 / sizeof(T) / groupLanes;
    CheckUbSpan(dst.addr_, dst.pos_, uint64_t(repeat - 1) * dstRepBytes + groups * record, dstAlign, name);
    opkit::rt::VecReduceGroups(r, opkit::DTypeOf<T>::value, dst.addr_, src.addr_, s, groupLanes, layout, dstRepBytes);
}
}  // namespace detail

// Count form: the sum/max/min of count elements into dst[0] (max/min: the index's bits into dst[1]).
template <typename T, bool isSetMask = true>
__aicore__ inline void ReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& work,
                                 const int32_t count) {
    detail::ReduceCount(opkit::rt::Reduce::SUM, "ReduceSum", dst, src, work, count, false);
}
template <typename T>
__aicore__ inline void ReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& work,
                                 const int32_t count, bool calIndex = false) {
    detail::ReduceCount(opkit::rt::Reduce::MAX, "ReduceMax", dst, src, work, count, calIndex);
}
template <typename T>
__aicore__ inline void ReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& work,
                                 const int32_t count, bool calIndex = false) {
    detail::ReduceCount(opkit::rt::Reduce::MIN, "ReduceMin", dst, src, work, count, calIndex);
}

// Level-0 forms: repeats combined by a second pairwise tree; the index is repeat*lanes + lane.
#define OPKIT_REDUCE_REPEAT(NAME, R, MASK_T, EXTRA_DECL, EXTRA_ARG)                                    \
    template <typename T>                                                                              \
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,                  \
                                const LocalTensor<T>& work, MASK_T mask, const int32_t repeatTime,     \
                                const int32_t srcRepStride EXTRA_DECL) {                               \
        detail::ReduceRepeat(opkit::rt::Reduce::R, #NAME, dst, src, work, mask, repeatTime,            \
                             srcRepStride, EXTRA_ARG);                                                 \
    }
#define OPKIT_COMMA ,
OPKIT_REDUCE_REPEAT(ReduceSum, SUM, const uint64_t*, , false)
OPKIT_REDUCE_REPEAT(ReduceSum, SUM, const int32_t, , false)
OPKIT_REDUCE_REPEAT(ReduceMax, MAX, const uint64_t*, OPKIT_COMMA bool calIndex = false, calIndex)
OPKIT_REDUCE_REPEAT(ReduceMax, MAX, const int32_t, OPKIT_COMMA bool calIndex = false, calIndex)
OPKIT_REDUCE_REPEAT(ReduceMin, MIN, const uint64_t*, OPKIT_COMMA bool calIndex = false, calIndex)
OPKIT_REDUCE_REPEAT(ReduceMin, MIN, const int32_t, OPKIT_COMMA bool calIndex = false, calIndex)
#undef OPKIT_COMMA
#undef OPKIT_REDUCE_REPEAT

// WholeReduceSum: one sum per repeat; dstRepStride counts results (sizeof(T) bytes).
// WholeReduceMax/Min: one record per repeat in `order` (index = lane inside the repeat, stored as
// uint16 bits for half and uint32 for float; ORDER_ONLY_INDEX stores a uint32); dstRepStride counts
// records.
#define OPKIT_WHOLE_REDUCE(MASK_T)                                                                     \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void WholeReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src,        \
                                          MASK_T mask, const int32_t repeatTime,                       \
                                          const int32_t dstRepStride, const int32_t srcBlkStride,      \
                                          const int32_t srcRepStride) {                                \
        detail::ReduceGroups<T, isSetMask>(opkit::rt::Reduce::SUM, "WholeReduceSum", dst, src, mask,   \
                                           repeatTime, dstRepStride, srcBlkStride, srcRepStride,       \
                                           256 / sizeof(T), opkit::rt::ReduceLayout::ONLY_VALUE,       \
                                           sizeof(T), sizeof(T));                                      \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void WholeReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src,        \
                                          MASK_T mask, const int32_t repeatTime,                       \
                                          const int32_t dstRepStride, const int32_t srcBlkStride,      \
                                          const int32_t srcRepStride,                                  \
                                          ReduceOrder order = ReduceOrder::ORDER_VALUE_INDEX) {        \
        auto layout = static_cast<opkit::rt::ReduceLayout>(order);                                     \
        uint32_t unit = opkit::rt::ReduceRecordBytes(opkit::rt::Reduce::MAX, opkit::DTypeOf<T>::value, \
                                                     layout);                                          \
        detail::ReduceGroups<T, isSetMask>(opkit::rt::Reduce::MAX, "WholeReduceMax", dst, src, mask,   \
                                           repeatTime, dstRepStride, srcBlkStride, srcRepStride,       \
                                           256 / sizeof(T), layout, unit, unit);                       \
    }                                                                                                  \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void WholeReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src,        \
                                          MASK_T mask, const int32_t repeatTime,                       \
                                          const int32_t dstRepStride, const int32_t srcBlkStride,      \
                                          const int32_t srcRepStride,                                  \
                                          ReduceOrder order = ReduceOrder::ORDER_VALUE_INDEX) {        \
        auto layout = static_cast<opkit::rt::ReduceLayout>(order);                                     \
        uint32_t unit = opkit::rt::ReduceRecordBytes(opkit::rt::Reduce::MIN, opkit::DTypeOf<T>::value, \
                                                     layout);                                          \
        detail::ReduceGroups<T, isSetMask>(opkit::rt::Reduce::MIN, "WholeReduceMin", dst, src, mask,   \
                                           repeatTime, dstRepStride, srcBlkStride, srcRepStride,       \
                                           256 / sizeof(T), layout, unit, unit);                       \
    }                                                                                                  \
    /* BlockReduceSum: 8 sums per repeat, one per 32-byte block; dstRepStride counts 8 results. */    \
    /* Note the order: repeatTime comes before mask here, after it in WholeReduce*. */                \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void BlockReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src,        \
                                          const int32_t repeatTime, MASK_T mask,                       \
                                          const int32_t dstRepStride, const int32_t srcBlkStride,      \
                                          const int32_t srcRepStride) {                                \
        detail::ReduceGroups<T, isSetMask>(opkit::rt::Reduce::SUM, "BlockReduceSum", dst, src, mask,   \
                                           repeatTime, dstRepStride, srcBlkStride, srcRepStride,       \
                                           32 / sizeof(T), opkit::rt::ReduceLayout::ONLY_VALUE,        \
                                           8 * sizeof(T), 8 * sizeof(T));                              \
    }                                                                                                  \
    /* PairReduceSum: dst[j] = src[2j] + src[2j+1] per repeat; dstRepStride counts 128 bytes. */      \
    template <typename T, bool isSetMask = true>                                                       \
    __aicore__ inline void PairReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src,         \
                                         const int32_t repeatTime, MASK_T mask,                        \
                                         const int32_t dstRepStride, const int32_t srcBlkStride,       \
                                         const int32_t srcRepStride) {                                 \
        detail::ReduceGroups<T, isSetMask>(opkit::rt::Reduce::SUM, "PairReduceSum", dst, src, mask,    \
                                           repeatTime, dstRepStride, srcBlkStride, srcRepStride, 2,    \
                                           opkit::rt::ReduceLayout::ONLY_VALUE, 128, 32);              \
    }
OPKIT_WHOLE_REDUCE(const uint64_t*)
OPKIT_WHOLE_REDUCE(const int32_t)
#undef OPKIT_WHOLE_REDUCE

}  // namespace AscendC
