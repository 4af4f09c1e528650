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

template <typename D, typename S, bool isSetMask = true, typename M>
__aicore__ inline void CastRepeat(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                                  M mask, int32_t repeatTimes, const UnaryRepeatParams& p) {
    constexpr uint32_t wide = sizeof(D) > sizeof(S) ? sizeof(D) : sizeof(S);
    auto s = detail::WithStrides(detail::Shape<uint8_t[wide], isSetMask>(mask, repeatTimes), p);
    detail::CheckRepeatOperand(dst.addr_, dst.pos_, s, s.dstBlk, s.dstRep, sizeof(D), "Cast");
    detail::CheckRepeatOperand(src.addr_, src.pos_, s, s.src0Blk, s.src0Rep, sizeof(S), "Cast");
    opkit::rt::VecCastRepeat(opkit::DTypeOf<D>::value, opkit::DTypeOf<S>::value, mode, dst.addr_, src.addr_, s);
}
template <typename D, typename S, bool isSetMask = true>
__aicore__ inline void Cast(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                            uint64_t mask, const int32_t repeatTimes, const UnaryRepeatParams& p) {
    CastRepeat<D, S, isSetMask>(dst, src, mode, mask, repeatTimes, p);
}
template <typename D, typename S, bool isSetMask = true>
__aicore__ inline void Cast(const LocalTensor<D>& dst, const LocalTensor<S>& src, const RoundMode& mode,
                            const uint64_t mask[], const int32_t repeatTimes, const UnaryRepeatParams& p) {
    CastRepeat<D, S, isSetMask>(dst, src, mode, mask, repeatTimes, p);
}

// ---- Compare / Select ---------------------------------------------------------------------------
// Compare writes one bit per element into dst (uint8_t or wider, reinterpreted as bytes).
template <typename T, typename U>
__aicore__ inline void Compare(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,
                               CMPMODE mode, uint32_t count) {
    int64_t n = detail::CheckCount(count, "Compare");
    detail::Operand(src0, n, "Compare");
    detail::Operand(src1, n, "Compare");
    detail::CheckVecOperand(dst.addr_, dst.pos_, uint64_t(n + 7) / 8, "Compare");
    opkit::rt::VecCompare(opkit::DTypeOf<T>::value, mode, reinterpret_cast<uint8_t*>(dst.addr_), src0.addr_,
                          src1.addr_, false, n);
}
template <typename T, typename U>
__aicore__ inline void CompareScalar(const LocalTensor<U>& dst, const LocalTensor<T>& src0,
                                     const detail::NoDeduce<T> scalar, CMPMODE mode, uint32_t count) {
    int64_t n = detail::CheckCount(count, "CompareScalar");
    detail::Operand(src0, n, "CompareScalar");
    detail::CheckVecOperand(dst.addr_, dst.pos_, uint64_t(n + 7) / 8, "CompareScalar");
    opkit::rt::VecCompare(opkit::DTypeOf<T>::value, mode, reinterpret_cast<uint8_t*>(dst.addr_), src0.addr_,
                          &scalar, true, n);
}

// Select: where the mask bit is 1 take src0, else src1 (a tensor, or a scalar in
// VSEL_TENSOR_SCALAR_MODE).
template <typename T, typename U>
__aicore__ inline void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
                              const LocalTensor<T>& src1, SELMODE mode, uint32_t count) {
    int64_t n = detail::CheckCount(count, "Select");
    if (mode == SELMODE::VSEL_TENSOR_SCALAR_MODE)
        opkit::rt::Fail("Select: VSEL_TENSOR_SCALAR_MODE takes a scalar src1, not a tensor");
    detail::Operand(dst, n, "Select"); detail::Operand(src0, n, "Select"); detail::Operand(src1, n, "Select");
    detail::CheckVecOperand(selMask.addr_, selMask.pos_, uint64_t(n + 7) / 8, "Select");
    opkit::rt::VecSelect(opkit::DTypeOf<T>::value, dst.addr_, reinterpret_cast<const uint8_t*>(selMask.addr_),
                         src0.addr_, src1.addr_, false, n);
}
template <typename T, typename U>
__aicore__ inline void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
                              detail::NoDeduce<T> src1, SELMODE mode, uint32_t count) {
    int64_t n = detail::CheckCount(count, "Select");
    if (mode != SELMODE::VSEL_TENSOR_SCALAR_MODE)
        opkit::rt::Fail("Select: a scalar src1 needs SELMODE::VSEL_TENSOR_SCALAR_MODE");
    detail::Operand(dst, n, "Select"); detail::Operand(src0, n, "Select");
    detail::CheckVecOperand(selMask.addr_, selMask.pos_, uint64_t(n + 7) / 8, "Select");
    opkit::rt::VecSelect(opkit::DTypeOf<T>::value, dst.addr_, reinterpret_cast<const uint8_t*>(selMask.addr_),
                         src0.addr_, &src1, true, n);
}

// ---- reductions ---------------------------------------------------------------------------------
namespace detail {
template <typename T>
void ReduceCount(opkit::rt::Reduce r, const char* name, const LocalTensor<T>& dst, const LocalTensor<T>& src,
                 const LocalTensor<T>& work, int32_t count, bool withIndex) {
    int64_t n = CheckCount(count, name);
    if (n == 0) opkit::rt::Fail(std::string(name) + ": count must be at least 1");
    Operand(src, n, name);
    Operand(dst, withIndex ? 2 : 1, name);
    // The NPU reduces repeat by repeat into the work tensor: one partial per 256-byte repeat.
    int64_t partials = (n * int64_t(sizeof(T)) + 255) / 256;
    Operand(work, partials, name);
    opkit::rt::VecReduce(r, opkit::DTypeOf<T>::value, dst.addr_, src.addr_, n, withIndex);
}
}  // namespace detail

template <typename T>
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

}  // namespace AscendC
