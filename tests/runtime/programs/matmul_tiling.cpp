// Drives matmul_tiling::MatmulApiTiling / MultiCoreMatmulTiling from stdin, one request a line,
// for tests/runtime/test_matmul_tiling.py (one process for many cases). A line:
//   soc multi dim m n k orgKa orgKb dtA dtC dtBias transA transB bias fixM fixN fixK l1 l0c ub
//   traverse fmtA fmtB singleM singleN
// (soc "default": a default-constructed tiling object; enum values as integers; -1: not set).
// Prints "ok <the 33 TCubeTiling fields> <mDim> <nDim> <baseM/N/K getters>" or "fail <reason>".
#include <cstdio>
#include <iostream>
#include <sstream>
#include <cstring>
#include <string>
#include <type_traits>

#include "tiling_api.h"  // bare, as the official MatMulInvocation sample includes it

using namespace matmul_tiling;

namespace {

template <typename T>
void Apply(T& t, const std::string& line, bool multi) {
    std::istringstream in(line);
    std::string soc;
    int m0, dim, m, n, k, orgKa, orgKb, dtA, dtC, dtBias, trA, trB, bias, fixM, fixN, fixK, l1, l0c, ub, trav, fA, fB,
        sM, sN;
    in >> soc >> m0 >> dim >> m >> n >> k >> orgKa >> orgKb >> dtA >> dtC >> dtBias >> trA >> trB >> bias >> fixM >>
        fixN >> fixK >> l1 >> l0c >> ub >> trav >> fA >> fB >> sM >> sN;
    t.SetAType(TPosition::GM, CubeFormat(fA), DataType(dtA), trA != 0);
    t.SetBType(TPosition::GM, CubeFormat(fB), DataType(dtA), trB != 0);
    t.SetCType(TPosition::GM, CubeFormat::ND, DataType(dtC));
    t.SetBiasType(TPosition::GM, CubeFormat::ND, DataType(dtBias));
    t.SetShape(m, n, k);
    if (orgKa == orgKb)
        t.SetOrgShape(m, n, orgKa);
    else
        t.SetOrgShape(m, n, orgKa, orgKb);
    t.EnableBias(bias != 0);
    if (fixM != -1 || fixN != -1 || fixK != -1) t.SetFixSplit(fixM, fixN, fixK);
    t.SetBufferSpace(l1, l0c, ub);
    if (trav != 0) t.SetTraverse(MatrixTraverse(trav));
    if constexpr (std::is_same_v<T, MultiCoreMatmulTiling>) {
        t.SetDim(dim);
        if (sM != -1 || sN != -1) t.SetSingleShape(sM, sN, -1);
    }
}

template <typename T>
void Run(T& t, const std::string& line, bool multi) {
    Apply(t, line, multi);
    optiling::TCubeTiling tiling;
    if (t.GetTiling(tiling) != 0) {
        std::printf("fail %s\n", t.GetFailReason());
        return;
    }
    int32_t words[33];
    std::memcpy(words, &tiling, sizeof(words));
    std::printf("ok");
    for (int32_t w : words) std::printf(" %d", w);
    int32_t dim = 1, mDim = 1, nDim = 1;
    if constexpr (std::is_same_v<T, MultiCoreMatmulTiling>) {
        int32_t sm, sn, sk;
        if (t.GetCoreNum(dim, mDim, nDim) != 0 || t.GetSingleShape(sm, sn, sk) != 0 || sm != tiling.singleCoreM ||
            dim != tiling.usedCoreNum || dim != mDim * nDim) {
            std::printf(" getters-disagree\n");
            return;
        }
    }
    std::printf(" %d %d %d %d %d\n", mDim, nDim, t.GetBaseM(), t.GetBaseN(), t.GetBaseK());
}

}  // namespace

int main() {
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty()) continue;
        std::istringstream in(line);
        std::string soc;
        int multi = 0;
        in >> soc >> multi;
        fe::PlatFormInfos info(soc == "default" ? nullptr : opkit::rt::FindSoc(soc));
        if (soc != "default" && info.Soc() == nullptr) {
            std::printf("fail unknown soc %s\n", soc.c_str());
        } else if (multi) {
            if (soc == "default") {
                MultiCoreMatmulTiling t;
                Run(t, line, true);
            } else {
                MultiCoreMatmulTiling t{platform_ascendc::PlatformAscendC(&info)};
                Run(t, line, true);
            }
        } else if (soc == "default") {
            MatmulApiTiling t;
            Run(t, line, false);
        } else {
            MatmulApiTiling t{platform_ascendc::PlatformAscendC(&info)};
            Run(t, line, false);
        }
        std::fflush(stdout);
    }
    return 0;
}
