// opkit: the Matmul API's refusals: a TCubeTiling against the documented constraint table
// (TCubeTiling结构体.md, 表2, and 表3 for the MDL template) and the operand types against the
// documented type combinations (Matmul使用说明.md, SetBias.md). Each message names the call and the
// field. Note [Matmul tiling checks]: the doc writes the buffer limits as "<" the buffer's size;
// opkit accepts "<=" (a buffer that exactly fills L0A fits; CANN's own tilings use it).
#pragma once

#include <string>

#include "kernel_operator.h"

namespace matmul {
namespace detail {

using opkit::DType;

inline uint32_t CeilDivU(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
inline uint32_t C0Of(DType t) { return 32 / opkit::rt::DTypeSize(t); }

[[noreturn]] inline void Refuse(const char* call, const std::string& what) {
    opkit::rt::Fail(std::string("Matmul ") + call + ": " + what);
}

// The operand types of one Matmul instantiation, as runtime values.
struct MatmulTypes {
    DType a, b, c, bias;
    bool aTrans, bTrans;  // MatmulType's ISTRANS
    bool mdl;             // the MDL template (CFG_MDL)
};

inline void CheckTypes(const MatmulTypes& t) {
    using opkit::rt::DTypeName;
    const bool b16 = (t.a == DType::F16 || t.a == DType::BF16) && t.b == t.a;
    const bool ok = (b16 && (t.c == DType::F32 || t.c == DType::F16 || t.c == DType::BF16) &&
                     (t.bias == DType::F32 || t.bias == DType::F16 || t.bias == t.c)) ||
                    (t.a == DType::I8 && t.b == DType::I8 && t.c == DType::I32 && t.bias == DType::I32) ||
                    (t.a == DType::F32 && t.b == DType::F32 && t.c == DType::F32 && t.bias == DType::F32);
    if (!ok)
        Refuse("Init", std::string("A ") + DTypeName(t.a) + ", B " + DTypeName(t.b) + ", C " + DTypeName(t.c) + ", bias " +
                           DTypeName(t.bias) + " is not a supported type combination (910B: half/bfloat16 x same -> "
                           "float/half/bfloat16 with a float or half bias; int8 x int8 -> int32, int32 bias; float x float "
                           "-> float, float bias)");
    if (t.bias == DType::BF16) Refuse("Init", "a bfloat16 bias does not exist (the bias table is float32)");
}

inline std::string Field(const char* name, int32_t v) { return std::string(name) + " " + std::to_string(v); }

// 表2 (and 表3 with CFG_MDL) for `tl`, with the operand types `t`.
inline void CheckTiling(const TCubeTiling& tl, const MatmulTypes& t) {
    const auto& soc = opkit::rt::CoreSoc();
    // `what` builds the message only when the check fails: this runs in every Matmul's Init on every core
    // of every launch, and building its ~25 messages each time was 11% of a small LoRA grad launch.
    auto need = [](bool ok, auto&& what) {
        if (!ok) Refuse("Init", "tiling: " + what() + " (TCubeTiling结构体.md, constraint table)");
    };
    using std::to_string;
    const int32_t pos[] = {tl.M, tl.N, tl.Ka, tl.Kb, tl.singleCoreM, tl.singleCoreN, tl.singleCoreK, tl.baseM, tl.baseN,
                           tl.baseK, tl.depthA1, tl.depthB1, tl.stepM, tl.stepN, tl.stepKa, tl.stepKb};
    const char* names[] = {"M", "N", "Ka", "Kb", "singleCoreM", "singleCoreN", "singleCoreK", "baseM", "baseN",
                           "baseK", "depthA1", "depthB1", "stepM", "stepN", "stepKa", "stepKb"};
    for (int i = 0; i < 16; ++i) need(pos[i] > 0, [&] { return Field(names[i], pos[i]) + " must be > 0"; });
    // A MIX kernel's Matmul clients are its AIVs, and CANN's tiling counts them (SetDim.md: in MIX mode
    // on a split-architecture SoC SetDim is the number of AIVs, blockDim the number of AIC + 2 AIV groups).
    const bool mixClient = opkit::rt::CubeIsRemote();
    const int32_t cores = mixClient ? soc.aivCores : soc.aicCores;
    need(tl.usedCoreNum >= 1 && tl.usedCoreNum <= cores, [&] {
        return Field("usedCoreNum", tl.usedCoreNum) + " must be in [1, " + to_string(cores) + "] on " + soc.name +
               (mixClient ? " (the AIVs of a MIX launch)" : "");
    });
    need(tl.isBias == 0 || tl.isBias == 1, [&] { return Field("isBias", tl.isBias) + " must be 0 or 1"; });
    need(tl.iterateOrder == 0 || tl.iterateOrder == 1,
         [&] { return Field("iterateOrder", tl.iterateOrder) + " must be 0 or 1"; });
    for (auto [n, v] : {std::pair<const char*, int32_t>{"dbL0A", tl.dbL0A}, {"dbL0B", tl.dbL0B}, {"dbL0C", tl.dbL0C}})
        need(v == 1 || v == 2, [&] { return Field(n, v) + " must be 1 or 2"; });
    need(tl.singleCoreK <= tl.Ka && tl.singleCoreM <= tl.M && tl.singleCoreN <= tl.N, [&] {
        return "singleCoreM/N/K " + to_string(tl.singleCoreM) + "/" + to_string(tl.singleCoreN) + "/" +
               to_string(tl.singleCoreK) + " exceed M/N/Ka " + to_string(tl.M) + "/" + to_string(tl.N) + "/" +
               to_string(tl.Ka);
    });
    const uint32_t ea = opkit::rt::DTypeSize(t.a), eb = opkit::rt::DTypeSize(t.b);
    const uint32_t ec = 4;  // L0C holds float or int32
    need(tl.baseM % 16 == 0 && tl.baseN % 16 == 0, [&] {
        return Field("baseM", tl.baseM) + ", " + Field("baseN", tl.baseN) + ": both must be multiples of 16";
    });
    const uint32_t c0 = C0Of(t.a);
    const bool plain = !t.aTrans && t.bTrans;  // A not transposed, B transposed: baseK aligned to C0
    need(tl.baseK % c0 == 0 && (plain || tl.baseK % 16 == 0), [&] {
        return Field("baseK", tl.baseK) + " must be a multiple of " + to_string(plain ? c0 : std::max<uint32_t>(c0, 16));
    });
    // The SoC's sizes: on an AIV of a MIX launch the buffers live on the AIC (Note [Matmul clients on the AIC]).
    auto size = [&](opkit::rt::Mem m) { return soc.memBytes[static_cast<int>(m)]; };
    const uint32_t l0a = size(opkit::rt::Mem::L0A), l0b = size(opkit::rt::Mem::L0B);
    const uint32_t l0c = size(opkit::rt::Mem::L0C), bt = size(opkit::rt::Mem::BT);
    const uint64_t a2 = uint64_t(tl.baseM) * tl.baseK * ea * tl.dbL0A, b2 = uint64_t(tl.baseN) * tl.baseK * eb * tl.dbL0B;
    const uint64_t c1 = uint64_t(tl.baseM) * tl.baseN * ec * tl.dbL0C;
    need(a2 <= l0a, [&] {
        return "baseM * baseK * sizeof(A) * dbL0A = " + to_string(a2) + " bytes exceeds L0A (" + to_string(l0a) + ")";
    });
    need(b2 <= l0b, [&] {
        return "baseN * baseK * sizeof(B) * dbL0B = " + to_string(b2) + " bytes exceeds L0B (" + to_string(l0b) + ")";
    });
    need(c1 <= l0c, [&] {
        return "baseM * baseN * 4 * dbL0C = " + to_string(c1) + " bytes exceeds L0C (" + to_string(l0c) + ")";
    });
    need(tl.isBias == 0 || uint64_t(tl.baseN) * 4 <= bt, [&] {
        return Field("baseN", tl.baseN) + " with isBias: the bias row (" + to_string(tl.baseN * 4) +
               " bytes of float/int32) exceeds the bias table (" + to_string(bt) + ")";
    });
    // depthA1/depthB1: base blocks of A/B in L1. MDL loads whole step tiles, one or two of them, so it
    // needs depth = step * stepK * (1 or 2) (表3). NORM caches up to depth base blocks (CANN's
    // CubeInBuffer), so kernels may lower stepM/stepN after GetTiling (the official MatmulLeakyRelu
    // sample sets them to 1); it needs at least one step tile.
    const int32_t tileA = tl.stepM * tl.stepKa, tileB = tl.stepN * tl.stepKb;
    if (t.mdl) {
        const int32_t dbA = tl.depthA1 / tileA, dbB = tl.depthB1 / tileB;
        need((dbA == 1 || dbA == 2) && tl.depthA1 == tileA * dbA, [&] {
            return Field("depthA1", tl.depthA1) + " must be stepM * stepKa * db (" + to_string(tl.stepM) + " * " +
                   to_string(tl.stepKa) + " * 1 or 2) with CFG_MDL";
        });
        need((dbB == 1 || dbB == 2) && tl.depthB1 == tileB * dbB, [&] {
            return Field("depthB1", tl.depthB1) + " must be stepN * stepKb * db (" + to_string(tl.stepN) + " * " +
                   to_string(tl.stepKb) + " * 1 or 2) with CFG_MDL";
        });
    }
    need(tl.depthA1 >= tileA, [&] {
        return Field("depthA1", tl.depthA1) + " must hold one stepM * stepKa tile (" + to_string(tl.stepM) + " * " +
               to_string(tl.stepKa) + ")";
    });
    need(tl.depthB1 >= tileB, [&] {
        return Field("depthB1", tl.depthB1) + " must hold one stepN * stepKb tile (" + to_string(tl.stepN) + " * " +
               to_string(tl.stepKb) + ")";
    });
    const uint64_t al1 = uint64_t(tl.baseM) * tl.baseK * tl.depthA1 * ea, bl1 = uint64_t(tl.baseN) * tl.baseK * tl.depthB1 * eb;
    const uint64_t l1 = size(opkit::rt::Mem::L1);
    need(al1 + bl1 + (tl.isBias ? tl.baseN * 4ull : 0) <= l1, [&] {
        return "A1 (" + to_string(al1) + ") + B1 (" + to_string(bl1) + ") [+ bias] bytes exceed L1 (" + to_string(l1) + ")";
    });
    if (t.mdl) {  // 表3
        const bool kaFull = tl.Ka <= tl.baseK * tl.stepKa, kbFull = tl.Kb <= tl.baseK * tl.stepKb;
        need(kaFull || tl.stepM == 1, [&] { return Field("stepM", tl.stepM) + " must be 1 when Ka is not fully loaded (MDL)"; });
        need(kbFull || tl.stepN == 1, [&] { return Field("stepN", tl.stepN) + " must be 1 when Kb is not fully loaded (MDL)"; });
        const uint32_t ka = CeilDivU(tl.singleCoreK, tl.baseK * tl.stepKa), kb = CeilDivU(tl.singleCoreK, tl.baseK * tl.stepKb);
        need(ka % kb == 0 || kb % ka == 0, [&] {
            return "the Ka and Kb load counts " + to_string(ka) + " and " + to_string(kb) + " must divide one another (MDL)";
        });
    }
}

}  // namespace detail
}  // namespace matmul
