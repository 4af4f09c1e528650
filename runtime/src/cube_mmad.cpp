// opkit: the cube's computation: Mmad (L0A x L0B -> L0C, pipe M). Its way out to GM, Fixpipe, is in
// cube_fixpipe.cpp. Layouts: Note [Cube layouts] in cube.cpp.
#include "cube_internal.h"

#include <algorithm>
#include <cstring>

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

}  // namespace

// Note [UnitFlag]: Mmad and Fixpipe on 910B can hand the 512-byte units of L0C to each other without
// SetFlag/WaitFlag (UnitFlag.md): each unit has a flag, 1 when an Mmad with unitFlag 3 has finished
// writing it and 0 when a Fixpipe with unitFlag 3 has read it. An Mmad with unitFlag 2 or 3 writes a
// unit only while its flag is 0, a Fixpipe with unitFlag 2 or 3 reads one only while it is 1; 2
// leaves the flag as it is (the K loop's Mmads before the last, a block read out twice), 3 hands it
// over. Functionally the flags are program-order synchronisation, which the CPU gives anyway, so
// opkit checks the hand-over instead: an Mmad that would have to wait for a Fixpipe issued after it
// (the flag is still 1), or a Fixpipe that would wait for a later Mmad (the flag is 0), is an
// error, because on the NPU the later instruction's data would be the one read or overwritten.
// Turning the flags on for one side only is that error too (a Fixpipe with unitFlag 0 leaves them
// set). A Fixpipe reading units whose flags are set is ordered after the Mmad that set them, with no
// flag in between (Note [Cross-pipe order]); the model lets the two pipes overlap unit by unit
// (Note [UnitFlag] timing, sim.cpp). 910B-class SoCs only.
bool cube::UseUnitFlags(const char* what, bool write, uint8_t unitFlag, const uint8_t* addr, uint64_t bytes,
                        sim::CoreModel::Units& units) {
    if (unitFlag == 0) return false;
    const SocInfo& soc = CoreSoc();
    if (!Is910B(soc))
        Fail(std::string(what) + ": unitFlag " + std::to_string(unitFlag) + " is a 910B-class feature (arch 2201); " +
             soc.name + " has no L0C unit flags: set unitFlag = 0 and synchronise M and the copy out with flags");
    if (unitFlag != 2 && unitFlag != 3)
        Fail(std::string(what) + ": unitFlag " + std::to_string(unitFlag) +
             " is not 0 (off), 2 (on, the flags stay) or 3 (on, the flags are handed over); see UnitFlag.md");
    CoreState& core = Core();
    const uint64_t off = uint64_t(addr - MemBase(Mem::L0C));
    const size_t lo = size_t(off / 512), hi = std::min(core.unitFlags.size(), size_t(CeilDiv(off + bytes, 512)));
    for (size_t u = lo; u < hi; ++u) {
        if (write && core.unitFlags[u] == 1)
            Fail(std::string(what) + ": unitFlag " + std::to_string(unitFlag) + " writes the L0C unit at offset " +
                 std::to_string(u * 512) + ", whose flag is 1: an Mmad with unitFlag 3 finished it and no Fixpipe with "
                 "unitFlag 3 has read it since. On the NPU this Mmad waits for a Fixpipe that comes after it in the "
                 "program, which would then read this Mmad's result. Read the block out first (Fixpipe with unitFlag 3); "
                 "a Fixpipe with unitFlag 0 leaves the flags set (turn unit flags on for both or for neither)");
        if (!write && core.unitFlags[u] == 0)
            Fail(std::string(what) + ": unitFlag " + std::to_string(unitFlag) + " reads the L0C unit at offset " +
                 std::to_string(u * 512) + ", whose flag is 0: no Mmad with unitFlag 3 has finished it since it was "
                 "last read out. On the NPU this Fixpipe waits for an Mmad that comes after it in the program. Give the "
                 "last Mmad of the K loop unitFlag 3 (the ones before it 2), or turn unit flags off for both");
    }
    if (unitFlag == 3) std::fill(core.unitFlags.begin() + long(lo), core.unitFlags.begin() + long(hi), uint8_t(write ? 1 : 0));
    units.lo = reinterpret_cast<uintptr_t>(addr);
    units.hi = units.lo + bytes;
    units.flag = unitFlag;
    return true;
}

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
    sim::CoreModel::Units units;
    const bool unitFlags = UseUnitFlags(what, true, p.unitFlag, c.addr, cBytes, units);  // Note [UnitFlag]
    if (auto* m = Model()) {
        const uint64_t cOff = uint64_t(c.addr - MemBase(Mem::L0C));
        if (cOff % 1024 != 0)
            Finding("mmad-alignment",
                    "Mmad: the result (CO1) starts at L0C offset " + std::to_string(cOff) +
                        ", not a multiple of 1024 bytes as the instruction requires",
                    ret);
        const auto& prm = Core().launch->params;
        const double cycles = sim::MmadCycles(prm, a.type, p.m, p.n, p.k, p.kDirectionAlign);
        m->Mmad(what, cycles, cycles - prm.mmadIssue, unitFlags ? &units : nullptr);
        if (unitFlags && p.unitFlag == 3) Core().unitMmadSeq = m->Seq();
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

}  // namespace rt
}  // namespace opkit
