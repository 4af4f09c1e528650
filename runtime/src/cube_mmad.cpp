// opkit: the cube's computation and its way out: Mmad (L0A x L0B -> L0C, pipe M) and Fixpipe
// (L0C -> GM with NZ -> ND and the output cast, pipe FIX). Layouts: Note [Cube layouts] in cube.cpp.
#include "cube_internal.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace opkit {
namespace rt {

using namespace cube;

namespace {

// The element types the cube multiplies, per SoC (Mmad.md, data type tables): {A, B, C}.
struct MmadTypes {
    DType a, b, c;
};
bool MmadSupported(const SocInfo& soc, DType a, DType b, DType c) {
    static const MmadTypes b910[] = {{DType::I8, DType::I8, DType::I32}, {DType::F16, DType::F16, DType::F32},
                                     {DType::F32, DType::F32, DType::F32}, {DType::BF16, DType::BF16, DType::F32}};
    static const MmadTypes a910[] = {{DType::U8, DType::U8, DType::U32}, {DType::I8, DType::I8, DType::I32},
                                     {DType::U8, DType::I8, DType::I32}, {DType::F16, DType::F16, DType::F16},
                                     {DType::F16, DType::F16, DType::F32}};
    static const MmadTypes p310[] = {{DType::I8, DType::I8, DType::I32}, {DType::U8, DType::I8, DType::I32},
                                     {DType::U8, DType::U8, DType::I32}, {DType::F16, DType::F16, DType::F16},
                                     {DType::F16, DType::F16, DType::F32}};
    auto in = [&](const auto& table) {
        for (const auto& t : table)
            if (t.a == a && t.b == b && t.c == c) return true;
        return false;
    };
    return Is910B(soc) ? in(b910) : (Is910A(soc) ? in(a910) : in(p310));
}

// The layout of one Mmad's operands (Note [Cube layouts]), in elements.
struct MmadShape {
    uint32_t m, n, k, c0, mBlocks, nBlocks, kBlocks;
    bool gemv;
    uint64_t C(uint32_t i, uint32_t j) const {  // the element index of C[i][j] in L0C's NZ layout
        return (uint64_t(j / 16) * mBlocks + i / 16) * 256 + (i % 16) * 16 + j % 16;
    }
};

MmadShape ShapeOf(DType in, const AscendC::MmadParams& p) {
    MmadShape s{};
    s.m = p.m;
    s.n = p.n;
    s.k = p.k;
    s.c0 = 32 / DTypeSize(in);
    const uint32_t kAlign = in == DType::F32 && p.kDirectionAlign ? uint32_t(CeilDiv(p.k, 16) * 16) : uint32_t(CeilDiv(p.k, s.c0) * s.c0);
    s.kBlocks = kAlign / s.c0;
    s.mBlocks = uint32_t(CeilDiv(p.m, 16));
    s.nBlocks = uint32_t(CeilDiv(p.n, 16));
    s.gemv = p.m == 1;
    return s;
}

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

}  // namespace

void CubeMmad(const CubeOperand& c, const CubeOperand& a, const CubeOperand& b, const AscendC::MmadParams& p,
              const CubeOperand* bias) {
    const char* what = bias != nullptr ? "Mmad(with bias)" : "Mmad";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!MmadSupported(soc, a.type, b.type, c.type))
        Fail(std::string("Mmad: ") + DTypeName(a.type) + " x " + DTypeName(b.type) + " -> " + DTypeName(c.type) +
             " is not a cube type combination of " + soc.name +
             (Is910B(soc) ? " (910B: int8 x int8 -> int32, float16/bfloat16/float32 x same -> float32)" : ""));
    if (c.type == DType::F16)
        Fail(std::string("Mmad: the float16-accumulating mode (float16 x float16 -> float16) of ") + soc.name +
             " is not modelled by opkit (its rounding is undocumented); accumulate in float32");
    if (c.type == DType::U32 || a.type == DType::U8)
        Fail(std::string("Mmad: unsigned int8 operands are not implemented by opkit"));
    if (p.cmatrixSource && bias == nullptr)
        Fail("Mmad: cmatrixSource = true (initial C from the bias table) needs the bias operand: use the Mmad "
             "prototype with a bias LocalTensor in C2");
    if (bias != nullptr && (!Is910B(soc) || bias->type != c.type))
        Fail(std::string("Mmad(with bias): a ") + DTypeName(bias->type) + " bias for a " + DTypeName(c.type) +
             " result is not supported on " + soc.name + " (910B: the bias table holds the result type, float32 or int32)");
    CheckCubeCore(what, ret);
    if (p.m == 0 || p.n == 0 || p.k == 0) return;  // a no-op on the NPU
    if (p.m > 4095 || p.n > 4095 || p.k > 4095)
        Fail("Mmad: m " + std::to_string(p.m) + ", n " + std::to_string(p.n) + ", k " + std::to_string(p.k) +
             " exceed the instruction's limit of 4095; split the multiplication");
    const MmadShape s = ShapeOf(a.type, p);
    const uint32_t ea = DTypeSize(a.type), ec = DTypeSize(c.type);
    const uint64_t aBytes = s.gemv ? CeilDiv(uint64_t(s.kBlocks) * s.c0 * ea, 512) * 512 : uint64_t(s.mBlocks) * s.kBlocks * 512;
    const uint64_t bBytes = uint64_t(s.kBlocks) * s.nBlocks * 512;
    const uint64_t cBytes = uint64_t(s.mBlocks) * s.nBlocks * 256 * ec;
    CheckLocal(a, Mem::L0A, "left (A2)", aBytes, what, ret);
    CheckLocal(b, Mem::L0B, "right (B2)", bBytes, what, ret);
    CheckLocal(c, Mem::L0C, "result (CO1)", cBytes, what, ret);
    if (bias != nullptr) CheckLocal(*bias, Mem::BT, "bias (C2)", uint64_t(p.n) * ec, what, ret);
    const bool accumulate = bias == nullptr && (!p.cmatrixInitVal || p.isBias);
    if (auto* m = Model()) {
        const uint64_t cOff = uint64_t(c.addr - MemBase(Mem::L0C));
        if (cOff % 1024 != 0)
            Finding("mmad-alignment",
                    "Mmad: the result (CO1) starts at L0C offset " + std::to_string(cOff) +
                        ", not a multiple of 1024 bytes as the instruction requires",
                    ret);
        const auto& prm = Core().launch->params;
        const double cycles = sim::MmadCycles(prm, a.type, p.m, p.n, p.k, p.kDirectionAlign);
        m->Mmad(what, cycles, cycles - prm.mmadIssue);
        // Reads: only the rows that hold data (Note [Cube layouts]); the padding may never have been written.
        const uint32_t kValid = uint32_t(CeilDiv(s.k, s.c0));
        if (s.gemv) ModelAccess(a.addr, uint64_t(s.k) * ea, false, what, ret, sim::M);
        for (uint32_t mb = 0; !s.gemv && mb < s.mBlocks; ++mb)
            for (uint32_t kb = 0; kb < kValid; ++kb)
                ModelAccess(a.addr + (uint64_t(mb) * s.kBlocks + kb) * 512, uint64_t(std::min(16u, s.m - mb * 16)) * 32, false,
                            what, ret, sim::M);
        for (uint32_t kb = 0; kb < kValid; ++kb)
            for (uint32_t nb = 0; nb < s.nBlocks; ++nb)
                ModelAccess(b.addr + (uint64_t(kb) * s.nBlocks + nb) * 512, uint64_t(std::min(16u, s.n - nb * 16)) * 32, false,
                            what, ret, sim::M);
        for (uint32_t nb = 0; accumulate && nb < s.nBlocks; ++nb)
            for (uint32_t mb = 0; mb < s.mBlocks; ++mb)
                ModelAccess(c.addr + (uint64_t(nb) * s.mBlocks + mb) * 256 * ec, uint64_t(std::min(16u, s.m - mb * 16)) * 16 * ec,
                            false, what, ret, sim::M);
        ModelAccess(c.addr, cBytes, true, what, ret, sim::M);
        // Note [Mmad barrier]: Mmad.md: when Mmads accumulate into the same L0C and (m/16)*(n/16) < 10,
        // a PipeBarrier<PIPE_M> must separate them (the next one's read can overtake the previous
        // one's write); above that size the hardware orders them itself.
        CoreState& core = Core();
        if (accumulate && core.lastMmadC == c.addr && !core.mBarrierSinceMmad && (p.m / 16) * (p.n / 16) < 10)
            Finding("mmad-barrier",
                    "Mmad accumulates onto the L0C result of the previous Mmad with no PipeBarrier<PIPE_M> in between; "
                    "with (m/16)*(n/16) = " + std::to_string((p.m / 16) * (p.n / 16)) +
                        " < 10 the NPU needs one, or the accumulation can read the old value",
                    ret);
        core.lastMmadC = c.addr;
        core.mBarrierSinceMmad = false;
    }
    // A bias (Mmad with a bias table operand) is the initial accumulator: each valid row of C starts as the
    // bias row, then the products are added to it.
    bool fromC = accumulate;
    if (bias != nullptr) {  // float32 or int32 bias entries, 4 bytes each, like C's
        for (uint32_t i = 0; i < s.m; ++i)
            for (uint32_t j = 0; j < s.n; ++j) std::memcpy(c.addr + s.C(i, j) * ec, bias->addr + uint64_t(j) * 4, 4);
        fromC = true;
    }
    // The arithmetic: Note [Host GEMM for Mmad] in cube_gemm.cpp.
    Gemm(GemmArgs{a.addr, b.addr, c.addr, a.type, c.type == DType::I32, s.gemv, fromC, s.m, s.n, s.k, s.c0,
                  s.mBlocks, s.nBlocks, s.kBlocks});
}

// ---- L0C -> GM (Fixpipe, NZ2ND) -------------------------------------------------------------------
void CubeFixpipe(const CubeOperand& dst, const CubeOperand& src, const AscendC::FixpipeParamsV220& p,
                 AscendC::CO2Layout layout) {
    const char* what = "Fixpipe(L0C->GM)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!Is910B(soc))
        Fail(std::string("Fixpipe does not exist on ") + soc.name +
             " (it is the FIX pipe of 910B-class SoCs, arch 2201); on 910A and 310P the results leave L0C through UB "
             "(DataCopy CO1 -> CO2 with DataCopyEnhancedParams)");
    if (layout != AscendC::CO2Layout::ROW_MAJOR)
        Fail("Fixpipe: opkit implements the NZ2ND output (CFG_ROW_MAJOR) only; CFG_NZ / CFG_COLUMN_MAJOR are not implemented");
    if (!IsGm(dst)) Fail(std::string("Fixpipe: opkit implements L0C -> GM only; this destination is in ") + WhereName(dst));
    if (p.isChannelSplit) Fail("Fixpipe: isChannelSplit cannot be combined with NZ2ND (CFG_ROW_MAJOR)");
    const bool ok = (p.quantPre == NoQuant && dst.type == src.type && (src.type == DType::F32 || src.type == DType::I32)) ||
                    (p.quantPre == F322F16 && src.type == DType::F32 && dst.type == DType::F16) ||
                    (p.quantPre == F322BF16 && src.type == DType::F32 && dst.type == DType::BF16);
    if (!ok)
        Fail(std::string("Fixpipe: ") + DTypeName(src.type) + " -> " + DTypeName(dst.type) + " with quantPre " +
             std::to_string(int(p.quantPre)) +
             " is not implemented (opkit has NoQuant float32->float32 and int32->int32, F322F16 float32->float16, "
             "F322BF16 float32->bfloat16)");
    CheckCubeCore(what, ret);
    if (p.ndNum == 0 || p.mSize == 0 || p.nSize == 0) return;  // a no-op on the NPU
    if (p.nSize > 4095 || p.mSize > 8192 || p.dstStride == 0)
        Fail("Fixpipe: nSize " + std::to_string(p.nSize) + " (at most 4095), mSize " + std::to_string(p.mSize) +
             " (at most 8192 with NZ2ND), dstStride " + std::to_string(p.dstStride) + " (not 0): out of range");
    if (Model() != nullptr && (p.srcStride < p.mSize || p.dstStride < p.nSize))
        Finding("fixpipe-stride",
                "Fixpipe: srcStride " + std::to_string(p.srcStride) + " rows is less than mSize " + std::to_string(p.mSize) +
                    " or dstStride " + std::to_string(p.dstStride) + " elements is less than nSize " + std::to_string(p.nSize) +
                    ": source column blocks or destination rows overlap (srcStride is normally mSize rounded up to 16)",
                ret);
    const uint32_t es = DTypeSize(src.type), ed = DTypeSize(dst.type);
    const uint64_t nBlocks = CeilDiv(p.nSize, 16);
    const uint64_t srcSpan = (uint64_t(p.ndNum - 1) * p.srcNdStride * 256 + (nBlocks - 1) * p.srcStride * 16 + uint64_t(p.mSize) * 16) * es;
    const uint64_t dstSpan = (uint64_t(p.ndNum - 1) * p.dstNdStride + uint64_t(p.mSize - 1) * p.dstStride + p.nSize) * ed;
    CheckLocal(src, Mem::L0C, "source (CO1)", srcSpan, what, ret);
    CheckGlobal(dst, dstSpan, what, ret);
    const uint64_t elems = uint64_t(p.ndNum) * p.mSize * p.nSize;
    if (auto* m = Model()) {
        m->Fixpipe(what, elems, elems * ed, true);
        for (uint32_t i = 0; i < p.ndNum; ++i)
            for (uint32_t b = 0; b < nBlocks; ++b)
                ModelAccess(src.addr + (uint64_t(i) * p.srcNdStride * 256 + b * p.srcStride * 16) * es,
                            uint64_t(p.mSize) * 16 * es, false, what, ret, sim::FIX);
        CoreState& core = Core();
        for (uint32_t i = 0; core.atomicOp == AtomicOp::NONE && i < p.ndNum; ++i)  // atomic writes do not race
            for (uint32_t j = 0; j < p.mSize; ++j)
                core.launch->RecordGmWrite(core.blockIdx, dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride) * ed,
                                           uint64_t(p.nSize) * ed, ret);
    }
    const AtomicOp atomic = Core().atomicOp;
    if (atomic == AtomicOp::NONE) {
        const uint64_t blockStride = uint64_t(p.srcStride) * 16 * es;  // bytes between L0C column blocks
        auto* row = src.type == DType::I32 ? FixRow<int32_t, int32_t>
                    : dst.type == DType::F32 ? FixRow<float, float>
                    : dst.type == DType::F16 ? FixRow<float, half> : FixRow<float, bfloat16_t>;
        for (uint32_t i = 0; i < p.ndNum; ++i)
            for (uint32_t j = 0; j < p.mSize; ++j)
                row(src.addr + (uint64_t(i) * p.srcNdStride * 256 + j * 16) * es, blockStride,
                    dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride) * ed, p.nSize, p.reluEn);
        return;
    }
    if (Core().atomicType != dst.type)
        Fail(std::string("Fixpipe: the atomic mode was set for ") + DTypeName(Core().atomicType) +
             " but the destination is " + DTypeName(dst.type) + "; call SetAtomicAdd<T>() with the output type");
    for (uint32_t i = 0; i < p.ndNum; ++i)
        for (uint32_t j = 0; j < p.mSize; ++j)
            for (uint32_t col = 0; col < p.nSize; ++col) {
                const uint8_t* in = src.addr + (uint64_t(i) * p.srcNdStride * 256 + (col / 16) * uint64_t(p.srcStride) * 16 + j * 16 + col % 16) * es;
                uint8_t* out = dst.addr + (uint64_t(i) * p.dstNdStride + uint64_t(j) * p.dstStride + col) * ed;
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
