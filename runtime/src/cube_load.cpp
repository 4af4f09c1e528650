// opkit: the L1 -> L0A/L0B loads that reshape as they move (pipe MTE1): LoadDataWithTranspose
// (square blocks of fractals transposed). The plain LoadData 2D is in cube.cpp; layouts: Note
// [Cube layouts] there.
//
// Note [LoadDataWithTranspose]: the facts, from the asc-devkit docs (LoadDataWithTranspose.md and
// the pseudo-code it points to, load_data_l12l0/scripts/load_data_with_transpose.py, and the
// load_data_l12l0 sample that uses it), read for facts only; the words and code here are ours.
//   - The unit is a square of S bytes: one 16x16 fractal of a 16-bit type (S = 512), or two
//     consecutive 512-byte fractals of an 8-bit type (16x32 each, one above the other: a 32x32
//     square) or of a 32-bit type (16x8 each, side by side: a 16x16 square), S = 1024.
//   - Repeat r transposes source square startIndex + r*srcStride (minus with addrMode) and writes
//     it as fractals of the source's shape: 16-bit, the transposed fractal; 8-bit, rows 0..15 and
//     16..31 of the transposed 32x32 square; 32-bit, columns 0..7 and 8..15 of the transposed 16x16
//     square. The first goes to destination fractal r*(1 + dstGap), the second (8/32-bit)
//     dstFracGap + 1 fractals after it. srcStride counts squares; dstGap and dstFracGap 512 bytes.
//   - Types on 910B: int8, uint8, half, bfloat16, int32, uint32, float (int4 into L0B too, which
//     opkit does not have). Not on 910A or 310P. repeatTimes 0 is a no-op. Source in L1 (32-byte
//     aligned), destination in L0A or L0B (512-byte aligned).
//   - The NPU does not check that destination fractals of different repeats do not overlap (the
//     doc leaves it to the kernel): an npu_simulator finding.
#include "cube_internal.h"

#include <cstring>

namespace opkit {
namespace rt {

using namespace cube;

namespace {

// Transposes one square (Note [LoadDataWithTranspose]): `in` is S bytes, out0/out1 the destination
// fractals (out1 unused for 16-bit types).
void TransposeSquare(uint32_t elemBytes, const uint8_t* in, uint8_t* out0, uint8_t* out1) {
    if (elemBytes == 2) {
        Transpose16x16(reinterpret_cast<const uint16_t*>(in), reinterpret_cast<uint16_t*>(out0));
        return;
    }
    if (elemBytes == 1) {  // S[r][c] = in[r*32 + c]; out_j[k][c] = S[c][16j + k]
        for (uint32_t j = 0; j < 2; ++j) {
            uint8_t* out = j == 0 ? out0 : out1;
            for (uint32_t k = 0; k < 16; ++k)
                for (uint32_t c = 0; c < 32; ++c) out[k * 32 + c] = in[c * 32 + 16 * j + k];
        }
        return;
    }
    // 32-bit: S[r][c] = fractal c/8, row r, column c%8; out_j[i][c] = S[8j + c][i]
    const uint32_t* s = reinterpret_cast<const uint32_t*>(in);
    for (uint32_t j = 0; j < 2; ++j) {
        uint32_t* out = reinterpret_cast<uint32_t*>(j == 0 ? out0 : out1);
        for (uint32_t i = 0; i < 16; ++i)
            for (uint32_t c = 0; c < 8; ++c) out[i * 8 + c] = s[(i / 8) * 128 + (8 * j + c) * 8 + i % 8];
    }
}

}  // namespace

void CubeLoadTranspose(const CubeOperand& dst, const CubeOperand& src, const AscendC::LoadData2dTransposeParams& p) {
    const bool toA = dst.mem == Mem::L0A;
    const char* what = toA ? "LoadDataWithTranspose(L1->L0A)" : "LoadDataWithTranspose(L1->L0B)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!Is910B(soc))
        Fail(std::string("LoadDataWithTranspose does not exist on ") + soc.name +
             " (910B-class SoCs); transpose 16-bit fractals with LoadData's ifTranspose");
    if (dst.mem != Mem::L0A && dst.mem != Mem::L0B)
        Fail(std::string("LoadDataWithTranspose: the destination must be in A2 (L0A) or B2 (L0B), this one is in ") +
             WhereName(dst));
    if (src.mem != Mem::L1)
        Fail(std::string(what) + ": the source must be in A1/B1 (L1), this one is in " + WhereName(src));
    RequireType(dst.type, {DType::I8, DType::U8, DType::F16, DType::BF16, DType::I32, DType::U32, DType::F32}, what,
                "data");
    CheckCubeCore(what, ret);
    if (p.repeatTimes == 0) return;  // a no-op on the NPU
    const uint32_t e = DTypeSize(dst.type);
    const bool pair = e != 2;                   // a square of two fractals
    const uint64_t square = pair ? 1024 : 512;  // bytes
    const int64_t step = p.addrMode == 0 ? int64_t(p.srcStride) : -int64_t(p.srcStride);
    const int64_t lastIdx = int64_t(p.startIndex) + step * (p.repeatTimes - 1);
    if (lastIdx < 0)
        Fail(std::string(what) + ": with addrMode 1 the source square index goes below 0 (startIndex " +
             std::to_string(p.startIndex) + ", srcStride " + std::to_string(p.srcStride) + ", repeatTimes " +
             std::to_string(p.repeatTimes) + ")");
    const uint64_t srcSpan = (uint64_t(std::max<int64_t>(p.startIndex, lastIdx)) + 1) * square;
    const uint64_t fracGap = pair ? 1 + uint64_t(p.dstFracGap) : 0;  // fractals from a square's first to its second
    const uint64_t dstSpan = (uint64_t(p.repeatTimes - 1) * (1 + p.dstGap) + fracGap + 1) * 512;
    CheckLocal(dst, dst.mem, toA ? "destination (A2)" : "destination (B2)", dstSpan, what, ret);
    CheckLocal(src, Mem::L1, "source (A1/B1)", srcSpan, what, ret);
    const bool model = Model() != nullptr;
    if (auto* m = Model()) {
        const auto& prm = Core().launch->params;
        m->Load(what, uint64_t(p.repeatTimes) * square, toA ? prm.l1ToL0aBytesPerCycle : prm.l1ToL0bBytesPerCycle);
        for (uint32_t d = 1; pair && d < p.repeatTimes; ++d)
            if (uint64_t(d) * (1 + p.dstGap) == fracGap) {
                Finding("loadtranspose-overlap",
                        std::string(what) + ": the second fractal of repeat r and the first of repeat r + " +
                            std::to_string(d) + " land on the same destination fractal (dstGap " +
                            std::to_string(p.dstGap) + ", dstFracGap " + std::to_string(p.dstFracGap) +
                            "); the NPU does not check it and the later write wins. Space the repeats with dstGap",
                        ret);
                break;
            }
    }
    for (uint32_t r = 0; r < p.repeatTimes; ++r) {
        const uint8_t* in = src.addr + uint64_t(int64_t(p.startIndex) + step * r) * square;
        uint8_t* out0 = dst.addr + uint64_t(r) * (1 + p.dstGap) * 512;
        uint8_t* out1 = out0 + fracGap * 512;
        if (model) {
            ModelAccess(in, square, false, what, ret, sim::MTE1);
            ModelAccess(out0, 512, true, what, ret, sim::MTE1);
            if (pair) ModelAccess(out1, 512, true, what, ret, sim::MTE1);
        }
        TransposeSquare(e, in, out0, out1);  // L1 and L0 never overlap
    }
}

}  // namespace rt
}  // namespace opkit
