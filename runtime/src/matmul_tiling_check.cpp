// opkit: the matmul tiler's request checks (types per SoC, shapes, formats, buffer sizes) and the
// L0 limits of one base block. The choice itself: Note [Matmul tiling] in matmul_tiling.cpp.
#include <algorithm>
#include <cstdio>

#include "matmul_tiling_internal.h"

namespace opkit {
namespace host {

using matmul_tiling::CubeFormat;
using matmul_tiling::DataType;
using matmul_tiling::TPosition;

void MatmulPlatformFrom(MatmulTilingRequest& req, const rt::SocInfo& soc) {
    std::snprintf(req.socName, sizeof(req.socName), "%s", soc.name);
    req.arch = soc.arch;
    req.splitArch = soc.splitArch;
    req.maxCores = soc.splitArch ? soc.aivCores : soc.aicCores;  // PlatformAscendC::GetCoreNum
    auto mem = [&](rt::Mem m) { return int64_t(soc.memBytes[static_cast<int>(m)]); };
    req.l1 = mem(rt::Mem::L1), req.l0a = mem(rt::Mem::L0A), req.l0b = mem(rt::Mem::L0B);
    req.l0c = mem(rt::Mem::L0C), req.ub = mem(rt::Mem::UB), req.bt = mem(rt::Mem::BT);
}

void DefaultMatmulPlatform(MatmulTilingRequest& req) { MatmulPlatformFrom(req, rt::DefaultSoc()); }

bool MatmulPlatformFromInfo(MatmulTilingRequest& req, const matmul_tiling::PlatformInfo& info) {
    using platform_ascendc::SocVersion;
    const rt::SocInfo* soc = nullptr;
    if (info.socVersion == SocVersion::ASCEND910B)
        soc = rt::DefaultSoc().arch == 2201 ? &rt::DefaultSoc() : rt::FindSoc("Ascend910B1");
    else if (info.socVersion == SocVersion::ASCEND910)
        soc = rt::FindSoc("Ascend910A");
    else if (info.socVersion == SocVersion::ASCEND310P)
        soc = rt::FindSoc("Ascend310P3");
    if (soc == nullptr) return false;
    MatmulPlatformFrom(req, *soc);
    if (info.l1Size) req.l1 = int64_t(info.l1Size);
    if (info.l0CSize) req.l0c = int64_t(info.l0CSize);
    if (info.ubSize) req.ub = int64_t(info.ubSize);
    if (info.l0ASize) req.l0a = int64_t(info.l0ASize);
    if (info.l0BSize) req.l0b = int64_t(info.l0BSize);
    return true;
}

namespace mmt {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

DataType Norm(DataType t) { return t == DataType::DT_BFLOAT16 ? DataType::DT_BF16 : t; }

const char* Name(DataType t) {
    switch (Norm(t)) {
        case DataType::DT_FLOAT: return "DT_FLOAT";
        case DataType::DT_FLOAT16: return "DT_FLOAT16";
        case DataType::DT_BF16: return "DT_BF16";
        case DataType::DT_INT8: return "DT_INT8";
        case DataType::DT_INT32: return "DT_INT32";
        default: return "this DataType";
    }
}

int64_t Bytes(DataType t) {
    switch (Norm(t)) {
        case DataType::DT_FLOAT: case DataType::DT_INT32: return 4;
        case DataType::DT_FLOAT16: case DataType::DT_BF16: return 2;
        case DataType::DT_INT8: return 1;
        default: return 0;
    }
}

// The input/output/bias type combinations of the Matmul API on opkit's SoCs (SetAType, SetCType,
// SetBiasType docs; the cube's types per SoC as in Mmad.md: float and bfloat16 only on 910B).
bool CheckTypes(const MatmulTilingRequest& r, std::string& why) {
    const DataType a = Norm(r.a.dataType), b = Norm(r.b.dataType), c = Norm(r.c.dataType);
    const DataType bias = Norm(r.bias.dataType);
    const bool is910B = r.arch == 2201;
    if (a != DataType::DT_FLOAT16 && a != DataType::DT_BF16 && a != DataType::DT_FLOAT && a != DataType::DT_INT8) {
        why = std::string("SetAType: ") + Name(a) + " (" + S(int32_t(a)) +
              ") is not an input type opkit's matmul supports (DT_FLOAT16, DT_BF16, DT_FLOAT, DT_INT8)";
        return false;
    }
    if (b != a) {
        why = std::string("SetBType: B is ") + Name(b) + " but A is " + Name(a) + "; A and B must have one type";
        return false;
    }
    if ((a == DataType::DT_FLOAT || a == DataType::DT_BF16) && !is910B) {
        why = std::string(Name(a)) + " inputs: the cube of " + r.socName +
              " multiplies only DT_FLOAT16 and DT_INT8 (Mmad.md); use a 910B-class SoC";
        return false;
    }
    bool cOk = a == DataType::DT_INT8
                   ? (c == DataType::DT_INT32 || c == DataType::DT_FLOAT16 || c == DataType::DT_INT8)
                   : a == DataType::DT_FLOAT ? c == DataType::DT_FLOAT
                                             : (c == DataType::DT_FLOAT || c == DataType::DT_FLOAT16 ||
                                                (c == DataType::DT_BF16 && is910B));
    if (!cOk) {
        why = std::string("SetCType: ") + Name(c) + " output from " + Name(a) + " inputs is not supported on " +
              r.socName + " (int8 -> DT_INT32/DT_FLOAT16/DT_INT8, float -> DT_FLOAT, half/bf16 -> DT_FLOAT/"
              "DT_FLOAT16, and DT_BF16 on 910B)";
        return false;
    }
    if (r.isBias) {
        bool ok = bias == DataType::DT_FLOAT || bias == DataType::DT_FLOAT16 || bias == DataType::DT_BF16 ||
                  (bias == DataType::DT_INT32 && a == DataType::DT_INT8);
        if (!ok) {
            why = std::string("SetBiasType: ") + Name(bias) + " bias is not supported with " + Name(a) +
                  " inputs (DT_FLOAT, DT_FLOAT16, DT_BF16; DT_INT32 only for int8 inputs)";
            return false;
        }
    }
    return true;
}

bool CheckFormats(const MatmulTilingRequest& r, std::string& why) {
    auto bad = [&](const char* who, CubeFormat f, const char* allowed) {
        why = std::string(who) + ": CubeFormat " + S(int32_t(f)) + " is not supported (" + allowed + ")";
        return false;
    };
    if (r.a.type != CubeFormat::ND && r.a.type != CubeFormat::NZ && r.a.type != CubeFormat::VECTOR)
        return bad("SetAType", r.a.type, "ND, NZ, VECTOR");
    if (r.b.type != CubeFormat::ND && r.b.type != CubeFormat::NZ) return bad("SetBType", r.b.type, "ND, NZ");
    if (r.c.type != CubeFormat::ND && r.c.type != CubeFormat::NZ && r.c.type != CubeFormat::ND_ALIGN)
        return bad("SetCType", r.c.type, "ND, NZ, ND_ALIGN");
    if (r.isBias && r.bias.type != CubeFormat::ND) return bad("SetBiasType", r.bias.type, "ND");
    return true;
}

bool Memory(const char* name, int32_t asked, int64_t soc, int64_t& out, std::string& why) {
    if (asked > soc) {
        why = std::string("SetBufferSpace: ") + name + " of " + S(asked) + " bytes exceeds the SoC's " + S(soc);
        return false;
    }
    out = asked >= 0 ? asked : soc;
    return true;
}

bool Shapes(const MatmulTilingRequest& r, Problem& p, std::string& why) {
    if (r.m < 0 && r.orgM < 0) return why = "no shape: call SetShape(m, n, k) and SetOrgShape(M, N, K)", false;
    p.M = r.m > 0 ? r.m : r.orgM;
    p.N = r.n > 0 ? r.n : r.orgN;
    p.K = r.k > 0 ? r.k : std::min(r.orgKa, r.orgKb);
    if (p.M <= 0 || p.N <= 0 || p.K <= 0)
        return why = "SetShape left m, n or k at -1 and SetOrgShape was not called", false;
    p.orgM = r.orgM > 0 ? r.orgM : int32_t(p.M);
    p.orgN = r.orgN > 0 ? r.orgN : int32_t(p.N);
    p.orgKa = r.orgKa > 0 ? r.orgKa : int32_t(p.K);
    p.orgKb = r.orgKb > 0 ? r.orgKb : int32_t(p.K);
    if (p.M > p.orgM || p.N > p.orgN || p.K > p.orgKa || p.K > p.orgKb)
        return why = "SetShape(" + S(p.M) + ", " + S(p.N) + ", " + S(p.K) + ") exceeds SetOrgShape(" + S(p.orgM) +
                     ", " + S(p.orgN) + ", " + S(p.orgKa) + ", " + S(p.orgKb) + ")", false;
    if (r.multiCore) {
        if (r.singleK > 0 && r.singleK != p.K)
            return why = "SetSingleShape: singleK " + S(r.singleK) + " != K " + S(p.K) +
                         " (singleCoreK = K: the tiling does not split K)", false;
        if (r.singleM > p.M || r.singleN > p.N)
            return why = "SetSingleShape(" + S(r.singleM) + ", " + S(r.singleN) + ") exceeds the shape " + S(p.M) +
                         "x" + S(p.N), false;
        p.fixSM = r.singleM, p.fixSN = r.singleN;
    }
    // NZ inputs come in whole fractals (TCubeTiling doc: M, N 16-aligned, K C0-aligned).
    auto nz = [&](const char* who, int64_t v, int64_t align, const char* what) {
        if (v % align == 0) return true;
        why = std::string(who) + " is NZ, so " + what + " must be a multiple of " + S(align) + "; it is " + S(v);
        return false;
    };
    if (r.a.type == CubeFormat::NZ &&
        !(nz("A", p.orgM, 16, "M") && nz("A", p.orgKa, p.c0A, "Ka") && nz("A", p.M, 16, "m") &&
          nz("A", p.K, p.c0A, "k") && (p.fixSM <= 0 || nz("A", p.fixSM, 16, "singleM"))))
        return false;
    if (r.b.type == CubeFormat::NZ &&
        !(nz("B", p.orgN, 16, "N") && nz("B", p.orgKb, p.c0B, "Kb") && nz("B", p.N, 16, "n") &&
          nz("B", p.K, p.c0B, "k") && (p.fixSN <= 0 || nz("B", p.fixSN, 16, "singleN"))))
        return false;
    return true;
}

}  // namespace

bool Resolve(const MatmulTilingRequest& r, Problem& p, std::string& why) {
    if (r.setterError[0] != '\0') return why = std::string("an earlier call returned -1: ") + r.setterError, false;
    if (!CheckTypes(r, why) || !CheckFormats(r, why)) return false;
    p.sA = Bytes(r.a.dataType), p.sB = Bytes(r.b.dataType), p.sC = Bytes(r.c.dataType);
    p.sBias = r.isBias ? Bytes(r.bias.dataType) : 0;
    p.int8 = Norm(r.a.dataType) == DataType::DT_INT8;
    p.sAcc = 4;  // int32 for int8 inputs, float otherwise
    p.c0A = 32 / p.sA, p.c0B = 32 / p.sB;
    p.transA = r.a.isTrans, p.transB = r.b.isTrans, p.isBias = r.isBias;
    // Table 2: baseK is C0-aligned when A is plain and B transposed, else 16-aligned; int8's L0
    // fractal is 32 deep, so it never goes below C0.
    p.kAlign = (!p.transA && p.transB) ? p.c0A : std::max<int64_t>(16, p.c0A);
    p.splitArch = r.splitArch;
    p.ndA = r.a.type != CubeFormat::NZ;
    p.ndB = r.b.type == CubeFormat::ND || (p.int8 && r.b.type == CubeFormat::NZ && !r.b.isTrans);
    p.cStaged = r.c.type == CubeFormat::ND || r.c.pos == TPosition::GM;
    p.biasStaged = r.isBias && r.bias.pos != TPosition::VECCALC;
    if (!Shapes(r, p, why)) return false;
    p.l0a = r.l0a, p.l0b = r.l0b;
    if (!Memory("l1Size", r.bufL1, r.l1, p.l1, why) || !Memory("l0CSize", r.bufL0C, r.l0c, p.l0c, why) ||
        !Memory("ubSize", r.bufUb, r.ub, p.ub, why) || !Memory("btSize", r.bufBt, r.bt, p.bt, why))
        return false;
    if ((r.baseM > 0 && r.baseM % 16) || (r.baseN > 0 && r.baseN % 16))
        return why = "SetFixSplit(" + S(r.baseM) + ", " + S(r.baseN) +
                     "): baseM and baseN must be multiples of 16 (the NZ fractal)", false;
    if (r.baseK > 0 && r.baseK % p.kAlign)
        return why = "SetFixSplit: baseK " + S(r.baseK) + " must be a multiple of " + S(p.kAlign) + " for " +
                     Name(r.a.dataType) + (p.transA ? ", A transposed" : "") + (p.transB ? ", B transposed" : ""),
               false;
    p.fixM = r.baseM, p.fixN = r.baseN, p.fixK = r.baseK;
    p.traverse = int(r.traverse);
    p.multiCore = r.multiCore;
    p.dim = r.multiCore ? r.dim : 1;
    if (p.dim > r.maxCores)
        return why = "SetDim(" + S(p.dim) + ") exceeds the " + S(r.maxCores) + " cores of " + r.socName, false;
    return true;
}

bool BlockFits(const Problem& p, int64_t bm, int64_t bn, Block& out, std::string& why) {
    const int64_t acc = bm * bn * p.sAcc;
    if (acc > p.l0c)
        return why = "a " + S(bm) + "x" + S(bn) + " base block needs " + S(acc) + " bytes of L0C, more than " +
                     S(p.l0c), false;
    if (p.splitArch && p.isBias && bn * p.sBias > p.bt)
        return why = "baseN " + S(bn) + " of bias needs " + S(bn * p.sBias) + " bytes of BiasTable, more than " +
                     S(p.bt), false;
    out.m = bm, out.n = bn, out.dbC = 2 * acc <= p.l0c ? 2 : 1;
    if (p.fixK > 0) {
        out.k = p.fixK;
        out.dbA = bm * out.k * p.sA * 2 <= p.l0a ? 2 : 1;
        out.dbB = bn * out.k * p.sB * 2 <= p.l0b ? 2 : 1;
        if (bm * out.k * p.sA > p.l0a || bn * out.k * p.sB > p.l0b)
            return why = "SetFixSplit baseK " + S(out.k) + " with baseM " + S(bm) + ", baseN " + S(bn) +
                         " does not fit L0A/L0B (" + S(p.l0a) + "/" + S(p.l0b) + " bytes)", false;
        return true;
    }
    // The whole K if it fits, else the largest power-of-two number of kAlign steps.
    const int64_t room = std::min(p.l0a / (bm * p.sA * 2), p.l0b / (bn * p.sB * 2));
    const int64_t wholeK = (p.K + p.kAlign - 1) / p.kAlign * p.kAlign;
    if (room < p.kAlign)
        return why = "a " + S(bm) + "x" + S(bn) + " base block leaves no room for baseK in L0A/L0B", false;
    int64_t k = p.kAlign;
    while (k * 2 <= room && k * 2 < wholeK) k *= 2;
    out.k = wholeK <= room ? wholeK : k, out.dbA = out.dbB = 2;
    return true;
}

}  // namespace mmt
}  // namespace host
}  // namespace opkit
