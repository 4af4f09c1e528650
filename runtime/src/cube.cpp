// opkit: the cube path's data movement into the cube: GM -> L1 with ND -> NZ conversion
// (DataCopy with Nd2NzParams, pipe MTE2) and L1/GM -> L0A/L0B (LoadData with LoadData2DParams,
// pipe MTE1 from L1, MTE2 from GM); the shared operand checks.
//
// Note [Cube layouts]: the fractal layouts the cube works on, as the Ascend C documentation
// describes them (asc-devkit docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/, read for facts; the
// words and code here are ours). A fractal is 512 bytes: 16 rows of 32 bytes, so C0 = 32/sizeof(T)
// elements per row (16 for half/bfloat16, 8 for float, 32 for int8). Accumulator (L0C) fractals are
// 16x16 elements of 4 bytes (1024 bytes).
//   - ND -> NZ (GMToL1随路转换-ND2NZ搬运（DataCopy）.md): element (r, c) of ND matrix i goes to
//     dst + i*dstNzMatrixStride + (c/C0)*dstNzC0Stride*C0 + r*dstNzNStride*C0 + c%C0 (elements).
//     When dValue*sizeof(T) is not a multiple of 32 the last 32-byte row piece is filled with zeros;
//     rows past nValue are not written (so m/k/n tails leave stale data in the unused rows).
//     ndNum, nValue or dValue of 0 is a no-op. Field ranges: ndNum <= 4095, nValue <= 16384,
//     srcDValue >= 1, dstNzC0Stride and dstNzNStride in 1..16384, dstNzMatrixStride <= 16384.
//     Supported on 910B (all 1/2/4-byte types) and on the 310P AI Core (16/32-bit types); not on
//     the Atlas training series (910A).
//   - LoadData 2D (LoadData_2D.md and its reference model load2d.py): repeat r copies the 512-byte
//     source fractal number startIndex + r*srcStride (minus, with addrMode 1) to destination
//     fractal r*(1 + dstGap); with ifTranspose each 16x16 b16 fractal is transposed (b16 only, L1
//     source only). repeatTimes 0 is a no-op. L0A/L0B addresses 512-byte aligned, L1 32-byte.
//     8- and 32-bit transposes: LoadDataWithTranspose, Note [LoadDataWithTranspose] in cube_load.cpp.
//     img2col (LoadData with LoadData3DParamsV2): Note [LoadData 3D v2] in cube_load3d.cpp.
//   - L0A holds A (M x K) "Zz": fractal (mb, kb) at (mb*kBlocks + kb)*512 bytes, element (i, j) of
//     it at i*C0 + j (row-major 16 x C0). L0B holds B (K x N) "Zn": fractal (kb, nb) at
//     (kb*nBlocks + nb)*512 bytes, element (j, i) (k j, n i) at i*C0 + j (C0 x 16, column-major).
//     L0C holds C (M x N) "Nz": fractal (mb, nb) at (nb*mBlocks + mb)*1024 bytes, element (i, j) at
//     i*16 + j. mBlocks = ceil(m/16), nBlocks = ceil(n/16), kBlocks = ceil(k/C0); float inputs pad
//     K to 8 (kBlocks = ceil(k/8)) or, with kDirectionAlign, to 16 (Mmad.md, K-方向对齐约束.md).
//   - Mmad (Mmad.md): the cube computes whole fractals, but "invalid data in the padding is ignored":
//     only k < K contributes, and only the m x n corner of C is defined. opkit computes exactly
//     that corner and fills C's padding rows/columns inside the touched fractals with the NaN
//     pattern of fresh on-chip memory (0xFF bytes), the value of which the documentation does not
//     give, so a kernel that moves the padding out sees it. m = 1 is GEMV mode: A is read from L0A
//     as a plain row of K elements (GEMV.md). m, n, k of 0 is a no-op; each at most 4095.
//   - Fixpipe NZ2ND (L0C到GM数据搬运（Fixpipe）.md, NZ2ND.md): row j, column c of source matrix i
//     is read at src + i*srcNdStride*256 + (c/16)*srcStride*16 + j*16 + c%16 (elements) and written
//     to dst + i*dstNdStride + j*dstStride + c (elements). Exactly nSize columns are written (the
//     official load_data_l12l0 sample writes n = 50 with dstStride = 50, so a row cannot spill into
//     the next). The fp32 -> fp16/bf16 casts (F322F16/F322BF16) round to nearest even (CAST_RINT);
//     the quantising modes: Note [Fixpipe quantisation] in cube_fixpipe.cpp.
//     Only on arch 2201 (910B); 910A and 310P move results out through UB instead.
#include "cube_internal.h"

#include <cstring>

namespace opkit {
namespace rt {
namespace cube {

void RequireType(DType t, std::initializer_list<DType> allowed, const char* what, const char* role) {
    for (DType a : allowed)
        if (a == t) return;
    std::string list;
    for (DType a : allowed) list += (list.empty() ? "" : ", ") + std::string(DTypeName(a));
    Fail(std::string(what) + ": " + role + " of type " + DTypeName(t) + " is not supported on " + CoreSoc().name +
         " (supported: " + list + ")");
}

void CheckLocal(const CubeOperand& o, Mem mem, const char* position, uint64_t bytes, const char* what, const void* ret) {
    if (o.mem != mem)
        Fail(std::string(what) + ": the " + position + " operand must be in " + MemName(mem) + ", this one is in " +
             WhereName(o));
    AscendC::detail::CheckInArena(o.addr, bytes, mem, what);
    AscendC::detail::CheckAligned(o.addr, mem, what);
    if (Model() != nullptr && o.bytes < bytes)
        Finding("cube-operand-size",
                std::string(what) + " uses " + std::to_string(bytes) + " bytes of its " + position +
                    " operand, but the LocalTensor holds " + std::to_string(o.bytes) +
                    "; the bytes after it belong to other buffers (enlarge the buffer or check m/n/k and the strides)",
                ret);
}

void CheckGlobal(const CubeOperand& o, uint64_t bytes, const char* what, const void* ret) {
    if (o.addr == nullptr) Fail(std::string(what) + ": the GlobalTensor has no buffer (call SetGlobalBuffer)");
    CheckGm(o.addr, bytes, what);
    if (Model() != nullptr && o.bytes != 0 && bytes > o.bytes)
        Finding("globaltensor-size", std::string(what) + " touches " + std::to_string(bytes) +
                                         " bytes of a GlobalTensor set up with " + std::to_string(o.bytes) +
                                         " bytes; check SetGlobalBuffer's size and the offsets",
                ret);
}

void CheckCubeCore(const char* what, const void* ret) {
    InferTaskType(KERNEL_TYPE_AIC_ONLY);  // Note [Kernel type from the instructions] (xcore_api.cpp)
    const CoreState& c = Core();
    if (c.model != nullptr && c.soc->splitArch && c.kind == CoreKind::AIV)
        Finding("kernel-mode",
                std::string(what) + " is a cube instruction, but the kernel runs in AIV_MODE: on " + c.soc->name +
                    " the vector cores have no L1, L0 or cube. Launch it with SetKernelMode(KernelMode::AIC_MODE) "
                    "(or MIX_MODE) and KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_AIC_ONLY)",
                ret);
}

}  // namespace cube

using namespace cube;

// ---- GM -> L1 with ND -> NZ (Note [Cube layouts]) ----------------------------------------------
void CubeNd2Nz(const CubeOperand& dst, const CubeOperand& src, const AscendC::Nd2NzParams& p) {
    const char* what = "DataCopy(GM->L1, Nd2NzParams)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!IsGm(src)) Fail(std::string(what) + ": the source must be a GlobalTensor, this one is in " + WhereName(src));
    if (Is910A(soc))
        Fail(std::string(what) + " does not exist on " + soc.name +
             " (the ND->NZ conversion exists on 910B and the 310P AI Core); lay the matrix out as NZ in GM and copy "
             "it with a strided DataCopy");
    if (Is910B(soc))
        RequireType(src.type, {DType::I8, DType::U8, DType::I16, DType::U16, DType::F16, DType::BF16, DType::I32,
                               DType::U32, DType::F32}, what, "data");
    else
        RequireType(src.type, {DType::I16, DType::U16, DType::F16, DType::I32, DType::U32, DType::F32}, what, "data");
    CheckCubeCore(what, ret);
    if (p.ndNum == 0 || p.nValue == 0 || p.dValue == 0) return;  // a no-op on the NPU
    if (p.ndNum > 4095 || p.nValue > 16384 || p.srcDValue == 0 || p.dstNzC0Stride == 0 || p.dstNzC0Stride > 16384 ||
        p.dstNzNStride == 0 || p.dstNzNStride > 16384 || p.dstNzMatrixStride > 16384)
        Fail(std::string(what) + ": a field is out of range (ndNum " + std::to_string(p.ndNum) + " <= 4095, nValue " +
             std::to_string(p.nValue) + " <= 16384, srcDValue " + std::to_string(p.srcDValue) + " >= 1, dstNzC0Stride " +
             std::to_string(p.dstNzC0Stride) + " and dstNzNStride " + std::to_string(p.dstNzNStride) +
             " in 1..16384, dstNzMatrixStride " + std::to_string(p.dstNzMatrixStride) + " <= 16384)");
    const uint32_t e = DTypeSize(src.type), c0 = 32 / e;
    const uint64_t blocks = CeilDiv(p.dValue, c0);
    const uint64_t dstSpan = uint64_t(p.ndNum - 1) * p.dstNzMatrixStride * e + (blocks - 1) * p.dstNzC0Stride * 32ull +
                             uint64_t(p.nValue - 1) * p.dstNzNStride * 32ull + 32;
    const uint64_t srcSpan = (uint64_t(p.ndNum - 1) * p.srcNdMatrixStride + uint64_t(p.nValue - 1) * p.srcDValue + p.dValue) * e;
    CheckLocal(dst, Mem::L1, "destination (A1/B1)", dstSpan, what, ret);
    CheckGlobal(src, srcSpan, what, ret);
    const uint64_t moved = uint64_t(p.ndNum) * p.nValue * p.dValue * e;
    if (p.ndNum == 1)  // nValue rows of dValue elements, srcDValue apart
        ModelCopy(true, false, moved, nullptr, 0, what, ret, src.addr, srcSpan, p.nValue, uint64_t(p.dValue) * e,
                  uint64_t(p.srcDValue) * e);
    else
        ModelCopy(true, false, moved, nullptr, 0, what, ret, src.addr, srcSpan);
    // Note [Nd2Nz copy order]: the copy is host-memory bound (a 2048-wide fp16 matrix puts its rows
    // 4 KiB apart, so every row starts a new page, where the hardware prefetcher stops, and the
    // pieces of one row land dstNzC0Stride*32 bytes apart, often a multiple of 4 KiB). It walks G
    // column blocks (G*32 source bytes) at a time down all rows and prefetches the source PF rows
    // ahead. When column blocks do not overlap each piece is written once, so the order does not
    // change the result; G and PF were tuned on matmul_basic (benchmarks/bench_matmul.py).
    constexpr uint64_t G = 16, PF = 16;
    const uint64_t full = p.dValue / c0;  // 32-byte pieces with no zero fill
    // Strides that make a column block overlap the next one are copied row by row, so the piece
    // written last is the one the plain row-major order writes last.
    const uint64_t group = p.dstNzC0Stride >= uint64_t(p.nValue) * p.dstNzNStride ? G : blocks;
    for (uint32_t i = 0; i < p.ndNum; ++i) {
        const uint8_t* src0 = src.addr + uint64_t(i) * p.srcNdMatrixStride * e;
        uint8_t* dst0 = dst.addr + uint64_t(i) * p.dstNzMatrixStride * e;
        for (uint64_t b0 = 0; b0 < blocks; b0 += group) {
            const uint64_t bEnd = std::min(blocks, b0 + group);
            for (uint32_t r = 0; r < p.nValue; ++r) {
                const uint8_t* row = src0 + uint64_t(r) * p.srcDValue * e;
                if (r + PF < p.nValue)  // rows are often 4 KiB apart: beyond the hardware prefetcher's page
                    for (uint64_t b = b0; b < bEnd; b += 2) __builtin_prefetch(row + PF * uint64_t(p.srcDValue) * e + b * 32);
                uint8_t* out = dst0 + uint64_t(r) * p.dstNzNStride * 32ull;
                for (uint64_t b = b0; b < bEnd; ++b) {
                    uint8_t* piece = out + b * p.dstNzC0Stride * 32ull;
                    if (b < full) {
                        std::memcpy(piece, row + b * 32, 32);  // GM and L1 never overlap
                    } else {
                        const uint64_t valid = (p.dValue - b * c0) * e;
                        std::memcpy(piece, row + b * 32, valid);
                        std::memset(piece + valid, 0, 32 - valid);  // the zero fill up to 32 bytes
                    }
                }
            }
        }
    }
    if (Model() != nullptr)
        for (uint32_t i = 0; i < p.ndNum; ++i)
            for (uint32_t r = 0; r < p.nValue; ++r)
                for (uint64_t b = 0; b < blocks; ++b)
                    ModelAccess(dst.addr + uint64_t(i) * p.dstNzMatrixStride * e + b * p.dstNzC0Stride * 32ull +
                                    uint64_t(r) * p.dstNzNStride * 32ull,
                                32, true, what, ret, sim::MTE2);
}

// ---- L1/GM -> L0A/L0B, fractal by fractal (Note [Cube layouts]) ----------------------------------
void CubeLoad2D(const CubeOperand& dst, const CubeOperand& src, const AscendC::LoadData2DParams& p) {
    const bool toA = dst.mem == Mem::L0A;
    const bool fromGm = IsGm(src);
    const char* what = fromGm ? (toA ? "LoadData(GM->L0A)" : "LoadData(GM->L0B)")
                              : (toA ? "LoadData(L1->L0A)" : "LoadData(L1->L0B)");
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (dst.mem != Mem::L0A && dst.mem != Mem::L0B)
        Fail(std::string("LoadData: the destination must be in A2 (L0A) or B2 (L0B), this one is in ") + WhereName(dst));
    if (!fromGm && src.mem != Mem::L1)
        Fail(std::string(what) + ": the source must be in A1/B1 (L1) or GM, this one is in " + WhereName(src));
    if (Is910B(soc))
        RequireType(dst.type, {DType::U8, DType::I8, DType::U16, DType::I16, DType::F16, DType::BF16, DType::U32,
                               DType::I32, DType::F32}, what, "data");
    else
        RequireType(dst.type, {DType::U8, DType::I8, DType::U16, DType::I16, DType::F16}, what, "data");
    CheckCubeCore(what, ret);
    if (p.repeatTimes == 0) return;  // a no-op on the NPU
    if (p.ifTranspose && (fromGm || DTypeSize(dst.type) != 2))
        Fail(std::string(what) + ": ifTranspose works only from L1 and only on 16-bit types (this is " +
             DTypeName(dst.type) + (fromGm ? " from GM)" : ")"));
    if (p.addrMode != 0 && !fromGm)
        Fail(std::string(what) + ": addrMode " + std::to_string(p.addrMode) +
             " (decrementing source index) applies only to GM sources; leave it 0");
    const int64_t step = p.addrMode == 0 ? int64_t(p.srcStride) : -int64_t(p.srcStride);
    const int64_t lastIdx = int64_t(p.startIndex) + step * (p.repeatTimes - 1);
    if (lastIdx < 0)
        Fail(std::string(what) + ": with addrMode 1 the source index goes below 0 (startIndex " +
             std::to_string(p.startIndex) + ", srcStride " + std::to_string(p.srcStride) + ", repeatTimes " +
             std::to_string(p.repeatTimes) + ")");
    const uint64_t srcSpan = (uint64_t(std::max<int64_t>(p.startIndex, lastIdx)) + 1) * 512;
    const uint64_t dstSpan = (uint64_t(p.repeatTimes - 1) * (1 + p.dstGap) + 1) * 512;
    CheckLocal(dst, dst.mem, toA ? "destination (A2)" : "destination (B2)", dstSpan, what, ret);
    if (fromGm) CheckGlobal(src, srcSpan, what, ret);
    else CheckLocal(src, Mem::L1, "source (A1/B1)", srcSpan, what, ret);

    const uint64_t bytes = uint64_t(p.repeatTimes) * 512;
    if (auto* m = Model()) {
        if (fromGm) ModelCopy(true, false, bytes, nullptr, 0, what, ret, src.addr, srcSpan);
        else m->Load(what, bytes, toA ? Core().launch->params.l1ToL0aBytesPerCycle : Core().launch->params.l1ToL0bBytesPerCycle);
    }
    const sim::Pipe pipe = fromGm ? sim::MTE2 : sim::MTE1;
    const bool model = Model() != nullptr;
    for (uint32_t r = 0; r < p.repeatTimes; ++r) {
        const uint8_t* in = src.addr + uint64_t(int64_t(p.startIndex) + step * r) * 512;
        uint8_t* out = dst.addr + uint64_t(r) * (1 + p.dstGap) * 512;
        if (model) ModelMove(out, in, 512, pipe, what, ret, p.ifTranspose);  // GM sources: the fractal is written now
        if (!p.ifTranspose)  // source (L1/GM) and destination (L0A/L0B) are different memories
            std::memcpy(out, in, 512);
        else  // a 16x16 matrix of 16-bit elements, transposed
            Transpose16x16(reinterpret_cast<const uint16_t*>(in), reinterpret_cast<uint16_t*>(out));
    }
}

}  // namespace rt
}  // namespace opkit
