// opkit: what the cube translation units (cube.cpp, cube_mmad.cpp) share: operand checks, the
// per-SoC data-type tables and the model hooks. Not part of the kernel API.
#pragma once

#include <initializer_list>
#include <string>

#include "core_state.h"
#include "kernel_operator.h"
#include "sim.h"

namespace opkit {
namespace rt {
namespace cube {

inline bool IsGm(const CubeOperand& o) { return o.mem == Mem::COUNT; }
inline const char* WhereName(const CubeOperand& o) { return MemName(o.mem); }  // "GM" for GM

// SoC families by architecture (runtime/src/soc.cpp): 910B-class 2201, 910A 1001, 310P 2002.
inline bool Is910B(const SocInfo& s) { return s.arch == 2201; }
inline bool Is910A(const SocInfo& s) { return s.arch == 1001; }

// Fails naming `what` unless `t` is one of `allowed` on this SoC.
void RequireType(DType t, std::initializer_list<DType> allowed, const char* what, const char* role);

// An on-chip operand: in `mem`, `bytes` inside the arena, aligned as the memory requires; a
// LocalTensor smaller than the footprint is an npu_simulator finding (the instruction reads or
// writes the bytes after it, which belong to another buffer).
void CheckLocal(const CubeOperand& o, Mem mem, const char* position, uint64_t bytes, const char* what,
                const void* ret);
// A GM operand: inside the launch's buffers (Note [GM bounds]) and within SetGlobalBuffer's size.
void CheckGlobal(const CubeOperand& o, uint64_t bytes, const char* what, const void* ret);

// npu_simulator: cube instructions run on the cube core; an AIV_MODE launch on a split SoC has none.
void CheckCubeCore(const char* what, const void* ret);

// One Mmad's arithmetic, done by cube_gemm.cpp (Note [Host GEMM for Mmad]): C (L0C, Nz, fp32 or
// int32) = [C +] A (L0A, Zz; a plain row when gemv) x B (L0B, Zn), over the m x n x k corner.
struct GemmArgs {
    const uint8_t* a;
    const uint8_t* b;
    uint8_t* c;
    DType in;         // F16, BF16, F32 (C fp32) or I8 (C int32)
    bool integer;     // C is int32
    bool gemv;        // m = 1: A is a plain row of k elements
    bool accumulate;  // C starts at its L0C value instead of 0
    uint32_t m, n, k, c0, mBlocks, nBlocks, kBlocks;
};
void Gemm(const GemmArgs& g);

// A 16 x 16 matrix of 16-bit elements transposed: out[i][j] = in[j][i]; in and out must not overlap.
void Transpose16x16(const uint16_t* in, uint16_t* out);

// The integer ceiling of a / b.
inline uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Note [UnitFlag] (cube_mmad.cpp): checks and hands over the L0C unit flags of an Mmad (`write`) or a
// Fixpipe reading the L0C bytes [addr, addr + bytes) with `unitFlag`; false when unitFlag is 0 (off).
// Fills `units` for the model.
bool UseUnitFlags(const char* what, bool write, uint8_t unitFlag, const uint8_t* addr, uint64_t bytes,
                  sim::CoreModel::Units& units);

}  // namespace cube
}  // namespace rt
}  // namespace opkit
