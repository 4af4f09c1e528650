// opkit: the matmul tiling algorithm behind matmul_tiling::MatmulApiTiling / MultiCoreMatmulTiling
// (opkit/host/matmul_tiling.h). Request checks are in matmul_tiling_check.cpp.
//
// Note [Matmul tiling]: GetTiling picks a TCubeTiling that satisfies every constraint of the
// documented tables (asc-devkit "TCubeTiling结构体", tables 2 and 3), for the SoC's own L0A/L0B/L0C/
// L1/UB/BT sizes (or the smaller SetBufferSpace ones), and returns -1 with a reason when none does.
//   1. Split (multi-core only). M and N are cut into mDim x nDim shares, mDim * nDim <= SetDim;
//      each share is ceil(M / mDim) rounded up to 16 (so NZ tiles and base blocks line up), and,
//      once the base block is known, rounded up to a whole number of baseM if that keeps mDim and costs no more
//      (same for N). usedCoreNum = ceil(M / singleCoreM) * ceil(N / singleCoreN). K is not split:
//      singleCoreK = K. Every split is scored by the cost model below for one full share; the
//      cheapest wins, then the one using fewer cores.
//   2. Base block. baseM, baseN are 16, 32, 64, 128 or 256, or the whole share rounded up to 16
//      when that is smaller (SetFixSplit fixes either, up to the share rounded to 16, as its doc
//      says). baseK is the whole K rounded up to kAlign if that fits L0A and L0B with dbL0A =
//      dbL0B = 2, else the largest power-of-two multiple of kAlign that does. kAlign is C0 (32
//      bytes of the input type) when A is plain and B transposed, else max(16, C0): table 2's
//      rule, except that int8 never goes below its 32-deep L0 fractal.
//      L0C must hold baseM x baseN accumulators (int32 for int8 inputs, float otherwise); dbL0C = 2
//      when two fit. With bias on a split-architecture SoC, baseN * sizeof(bias) <= BiasTable.
//      The largest blocks win because the cost model charges a fixed overhead per Mmad and per
//      copy: on a big fp16 problem this lands on the doc's recommended 128 x 256 (or 256 x 128)
//      with baseK = 64; small M or N get thin blocks with a long baseK.
//   3. L1. Preferred, in this order (the doc's advice: full K first, depth = 2 * step):
//      both Ka and Kb whole in L1 double-buffered; the same single-buffered; the smaller matrix's
//      K whole and the other's as many baseK as fit; equal partial steps; one block of each.
//      With K whole, stepM, stepN and each side's double buffering are searched (MoreSteps): of
//      those L1 allows, the fewest GM bytes, then M-first order, then more double buffering, then
//      larger steps (table 3 forbids stepM > 1 without K whole). For the framework MatmulLeakyRelu
//      sample (1024x640x256, SetDim 2, 128x128 blocks) this gives CANN's tiling: stepM 1, stepN 5,
//      depthA1 4, depthB1 10, M-first (checked against asc-devkit's matmul_tiling_algorithm.cpp built
//      on the side; the sample's kernel relies on the order).
//      A partial step is evened out (the same number of K iterations with the fewest blocks).
//      The whole L1 is planned for, as CANN's tiler does for MultiCoreMatmulTiling too: the AIV
//      clients of a MIX kernel take turns in their AIC's L1 (Note [Matmul clients on the AIC]).
//      depthA1 = stepM * stepKa * dbA, depthB1 = stepN * stepKb * dbB. The L1 footprint of a block
//      counts its NZ padding: the dimension that is contiguous in the source (K for a plain A,
//      M for a transposed one) is rounded to C0, the other to 16 (table 2's formula without its
//      typo); bias adds baseN * sizeof(bias).
//   4. UB (910A and 310P only): those SoCs convert ND <-> NZ through UB, and transLength is the
//      largest of the A, B, C and bias staging buffers (A: baseM * baseK * stepKa * stepM * sizeof,
//      as for CANN's default NORM config); 2 * transLength must fit UB. On 910B transLength = 0.
//   5. iterateOrder: SetTraverse's, else the order that reloads less from GM (0: M moves first,
//      the B column block stays in L1; 1: N first, the A row block stays).
// Cost model (the simulator's figures where it has them, Note [Cube model parameters] in sim.cpp;
// not measured on hardware): the cube does 16 x 16 x C0 MACs a cycle; each Mmad costs 60 cycles
// more; L1 -> L0A moves 256 bytes a cycle and L1 -> L0B 128, with 20 cycles per LoadData; GM -> L1
// 64 bytes a cycle per core (between the L2's and HBM's rates) plus 64 cycles per copy; the time is
// the slowest of them. A share is rounded up to whole base blocks only when that costs no more. Fields the docs call reserved
// are 0 except batchM/batchN/singleBatchM/singleBatchN (1), shareL1Size (the L1 bytes used) and
// shareL0CSize (the L0C bytes used).
// For the kernel-side Matmul: tails are the kernel's (the last core's share and the last block of
// each dimension are smaller); an L1 buffer of A holds stepM * stepKa blocks of the padded
// footprint above, depthA1 / (stepM * stepKa) of them.
#include "matmul_tiling_internal.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace opkit {
namespace host {
namespace mmt {

namespace {
int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t AlignUp(int64_t a, int64_t b) { return CeilDiv(a, b) * b; }

int64_t FootA(const Problem& p, int64_t bm, int64_t bk) {
    return AlignUp(bm, p.transA ? p.c0A : 16) * AlignUp(bk, p.transA ? 16 : p.c0A) * p.sA;
}
int64_t FootB(const Problem& p, int64_t bn, int64_t bk) {
    return AlignUp(bn, p.transB ? 16 : p.c0B) * AlignUp(bk, p.transB ? p.c0B : 16) * p.sB;
}

int64_t TransLength(const Problem& p, const Block& b, const Steps& s) {
    if (p.splitArch) return 0;
    int64_t a1 = p.ndA ? b.m * b.k * p.sA * s.stepKa * s.stepM : 0;
    int64_t b1 = p.ndB ? b.n * b.k * p.sB * s.stepKb * s.stepN : 0;
    int64_t c1 = p.cStaged ? b.m * b.n * p.sC : 0;
    int64_t bias = p.biasStaged ? b.n * p.sBias : 0;
    if (p.int8) bias = std::max(bias, b.n * 8);  // the quantisation parameters
    return std::max(std::max(a1, b1), std::max(c1, bias));
}

bool Fits(const Problem& p, const Block& b, const Steps& s) {
    int64_t l1 = FootA(p, b.m, b.k) * s.stepM * s.stepKa * s.DbA() + FootB(p, b.n, b.k) * s.stepN * s.stepKb * s.DbB() +
                 (p.isBias ? b.n * p.sBias : 0);
    return l1 <= p.l1 && 2 * TransLength(p, b, s) <= p.ub;
}

// Fewest K blocks per step that keeps the number of K iterations of step `s`.
int64_t Even(int64_t nK, int64_t s) { return CeilDiv(nK, CeilDiv(nK, s)); }

// Largest step of one matrix's K (the other's fixed) that fits, 0 if none.
int64_t MaxStep(const Problem& p, const Block& b, Steps s, bool forA, int64_t nK) {
    for (int64_t k = nK; k >= 1; --k) {
        (forA ? s.stepKa : s.stepKb) = k;
        if (Fits(p, b, s)) return k;
    }
    return 0;
}
}  // namespace

int64_t GmBytes(const Problem& p, const Block& b, const Steps& s, int64_t sM, int64_t sN, int order);

namespace {
// K whole in L1 (for A, B or both): how many row blocks of A (stepM) and column blocks of B (stepN)
// stay resident, and each side's double buffering. Of the choices that fit L1: the fewest GM bytes
// (in the better iterate order); then one whose least traffic comes in M-first order (Iterate.md:
// M first is the default order); then more double buffering; then the larger steps.
Steps MoreSteps(const Problem& p, const Block& b, int64_t sM, int64_t sN, const Steps& base) {
    const int64_t nK = CeilDiv(p.K, b.k), nM = CeilDiv(sM, b.m), nN = CeilDiv(sN, b.n);
    auto rank = [&](const Steps& t) {
        const int64_t m0 = GmBytes(p, b, t, sM, sN, 0), m1 = GmBytes(p, b, t, sM, sN, 1);
        return std::make_tuple(std::min(m0, m1), m0 <= m1 ? 0 : 1, -(t.DbA() + t.DbB()), -(t.stepM + t.stepN));
    };
    Steps best = base;
    for (int64_t dbA = 2; dbA >= 1; --dbA) {
        for (int64_t dbB = 2; dbB >= 1; --dbB) {
            for (int64_t sm = 1; sm <= (base.stepKa == nK ? nM : 1); ++sm) {
                for (int64_t sn = 1; sn <= (base.stepKb == nK ? nN : 1); ++sn) {
                    Steps t = base;
                    t.stepM = sm, t.stepN = sn, t.db = dbA, t.dbB = dbB;
                    if (!Fits(p, b, t)) break;  // a larger stepN fits no better
                    if (rank(t) < rank(best)) best = t;
                }
            }
        }
    }
    return best;
}
}  // namespace

bool ChooseSteps(const Problem& p, const Block& b, int64_t sM, int64_t sN, Steps& out) {
    const int64_t nK = CeilDiv(p.K, b.k);
    Steps tries[2] = {{1, 1, nK, nK, 2}, {1, 1, nK, nK, 1}};
    bool found = false;
    for (const Steps& t : tries)
        if (!found && Fits(p, b, t)) out = t, found = true;
    if (!found) {
        // The smaller matrix keeps its K whole; the other streams as many baseK as fit.
        bool aSmall = FootA(p, b.m, b.k) <= FootB(p, b.n, b.k);
        Steps t{1, 1, aSmall ? nK : 1, aSmall ? 1 : nK, 2};
        int64_t k = MaxStep(p, b, t, !aSmall, nK);
        if (k > 0) {
            (aSmall ? t.stepKb : t.stepKa) = Even(nK, k);
            out = t, found = true;
        }
    }
    for (int64_t db = 2; db >= 1 && !found; --db) {
        for (int64_t k = nK; k >= 1 && !found; --k) {
            Steps t{1, 1, k, k, db};
            if (Fits(p, b, t)) {
                t.stepKa = t.stepKb = Even(nK, k);
                out = t, found = true;
            }
        }
    }
    if (!found) return false;
    if (out.stepKa == nK || out.stepKb == nK) out = MoreSteps(p, b, sM, sN, out);
    return true;
}

// GM -> L1 bytes for one core under iterate order `order` (0: M first, 1: N first).
int64_t GmBytes(const Problem& p, const Block& b, const Steps& s, int64_t sM, int64_t sN, int order) {
    const int64_t nK = CeilDiv(p.K, b.k), nM = CeilDiv(sM, b.m), nN = CeilDiv(sN, b.n);
    const int64_t aBytes = sM * p.K * p.sA, bBytes = sN * p.K * p.sB;
    if (order == 0 && s.stepKb == nK) return aBytes * CeilDiv(nN, s.stepN) + bBytes;
    if (order == 1 && s.stepKa == nK) return aBytes + bBytes * CeilDiv(nM, s.stepM);
    return aBytes * nN + bBytes * nM;
}

double Cost(const Problem& p, const Block& b, const Steps& s, int64_t sM, int64_t sN, int order) {
    const int64_t nM = CeilDiv(sM, b.m), nN = CeilDiv(sN, b.n), nK = CeilDiv(p.K, b.k);
    const double mmads = double(nM) * nN * nK;
    const int64_t c0k = 32 / p.sA;
    // The simulator's cube (Note [Cube model parameters], sim.cpp): fractal cycles plus 60 per Mmad.
    double cube = double(AlignUp(sM, 16) / 16) * (AlignUp(sN, 16) / 16) * CeilDiv(p.K, c0k) + 60.0 * mmads;
    // L1 -> L0A at 256 bytes a cycle, L0B at 128, 20 cycles per LoadData; the Matmul API loads a block
    // with one LoadData per row or per column of fractals, whichever is fewer (Note [Fewer LoadData]).
    const int64_t mBl = CeilDiv(b.m, 16), nBl = CeilDiv(b.n, 16), kBl = CeilDiv(b.k, 16);
    double mte1 = double(AlignUp(sM, 16)) * p.K * p.sA * nN / 256.0 + double(AlignUp(sN, 16)) * p.K * p.sB * nM / 128.0 +
                  20.0 * mmads * double(std::min(mBl, kBl) + std::min(nBl, kBl));
    double copies = double(nM) * nN * (CeilDiv(nK, s.stepKa) + CeilDiv(nK, s.stepKb));
    double mte2 = double(GmBytes(p, b, s, sM, sN, order)) / 64.0 + 64.0 * copies;
    double out = double(sM) * sN * p.sC / 64.0;
    return std::max(std::max(cube, mte1), std::max(mte2, out));
}

int ChooseOrder(const Problem& p, const Block& b, const Steps& s, int64_t sM, int64_t sN) {
    if (p.traverse == 1) return 0;
    if (p.traverse == 2) return 1;
    return GmBytes(p, b, s, sM, sN, 1) < GmBytes(p, b, s, sM, sN, 0) ? 1 : 0;
}

// baseM (baseN) candidates: the fixed one if it is within the share; else 16, 32, .., 256 and the
// whole share when it is smaller.
std::vector<int64_t> Candidates(int64_t fixed, int64_t cap, int64_t share) {
    if (fixed > 0) return fixed <= share ? std::vector<int64_t>{fixed} : std::vector<int64_t>{};
    std::vector<int64_t> out;
    for (int64_t v = 16; v <= cap; v *= 2) out.push_back(v);
    if (cap < 256 && out.back() != cap) out.push_back(cap);
    return out;
}

// The base block for a share of sM x sN, or false with the reason.
bool ChooseBlock(const Problem& p, int64_t sM, int64_t sN, Plan& best, std::string& why) {
    const int64_t capM = std::min<int64_t>(AlignUp(sM, 16), 256), capN = std::min<int64_t>(AlignUp(sN, 16), 256);
    bool any = false;
    why = "no base block fits";
    const std::vector<int64_t> ms = Candidates(p.fixM, capM, AlignUp(sM, 16));
    const std::vector<int64_t> ns = Candidates(p.fixN, capN, AlignUp(sN, 16));
    for (int64_t bm : ms) {
        for (int64_t bn : ns) {
            // The reason kept is the smallest block's (the first tried): the most permissive one.
            Plan c;
            std::string w;
            if (!BlockFits(p, bm, bn, c.block, w)) {
                if (!any && why == "no base block fits") why = w;
                continue;
            }
            // A shorter baseK when even one block of each does not fit L1 (or UB).
            bool placed = ChooseSteps(p, c.block, sM, sN, c.steps);
            while (!placed && p.fixK <= 0 && c.block.k > p.kAlign) {
                c.block.k = std::max(p.kAlign, c.block.k / 2 / p.kAlign * p.kAlign);
                placed = ChooseSteps(p, c.block, sM, sN, c.steps);
            }
            if (!placed) {
                if (any || why != "no base block fits") continue;
                why = "the A and B blocks (" + std::to_string(bm) + "x" + std::to_string(c.block.k) + ", " +
                      std::to_string(c.block.k) + "x" + std::to_string(bn) + ") do not fit L1 (" +
                      std::to_string(p.l1) + " bytes)" + (p.splitArch ? "" : " and UB");
                continue;
            }
            c.order = ChooseOrder(p, c.block, c.steps, sM, sN);
            c.cost = Cost(p, c.block, c.steps, sM, sN, c.order);
            if (!any || c.cost < best.cost || (c.cost == best.cost && bm * bn > best.block.m * best.block.n))
                best = c, any = true;
        }
    }
    // A fixed base larger than the share: the doc's rule (baseM <= singleM rounded up to 16).
    if (!any && p.fixM > AlignUp(sM, 16))
        why = "SetFixSplit baseM " + std::to_string(p.fixM) + " exceeds singleCoreM " + std::to_string(sM) +
              " rounded up to 16";
    if (!any && p.fixN > AlignUp(sN, 16))
        why = "SetFixSplit baseN " + std::to_string(p.fixN) + " exceeds singleCoreN " + std::to_string(sN) +
              " rounded up to 16";
    return any;
}

// Rounds a share up to whole base blocks when that keeps the number of shares.
int64_t RoundShare(int64_t total, int64_t share, int64_t base) {
    int64_t r = AlignUp(share, base);
    if (r >= total) return CeilDiv(total, share) == 1 ? total : share;
    return CeilDiv(total, r) == CeilDiv(total, share) ? r : share;
}

bool ChooseSplit(const Problem& p, Plan& best, std::string& why) {
    bool any = false;
    const int64_t maxM = p.multiCore ? std::min<int64_t>(p.dim, CeilDiv(p.M, 16)) : 1;
    for (int64_t md = 1; md <= maxM; ++md) {
        int64_t sM = p.fixSM > 0 ? p.fixSM : std::min(p.M, AlignUp(CeilDiv(p.M, md), 16));
        if (p.fixSM > 0 && md > 1) break;
        int64_t mDim = CeilDiv(p.M, sM);
        if (mDim != md && p.fixSM <= 0) continue;  // the same share as a smaller md
        const int64_t maxN = p.multiCore ? std::min<int64_t>(p.dim / mDim, CeilDiv(p.N, 16)) : 1;
        for (int64_t nd = 1; nd <= std::max<int64_t>(maxN, 1); ++nd) {
            int64_t sN = p.fixSN > 0 ? p.fixSN : std::min(p.N, AlignUp(CeilDiv(p.N, nd), 16));
            if (p.fixSN > 0 && nd > 1) break;
            int64_t nDim = CeilDiv(p.N, sN);
            if (nDim != nd && p.fixSN <= 0) continue;
            if (mDim * nDim > p.dim) {
                why = "the single shape " + std::to_string(sM) + "x" + std::to_string(sN) + " needs " +
                      std::to_string(mDim * nDim) + " cores, more than SetDim's " + std::to_string(p.dim);
                continue;
            }
            Plan c;
            if (!ChooseBlock(p, sM, sN, c, why)) continue;
            // Shares rounded up to whole base blocks, unless the rounding makes the largest share
            // dearer (its extra rows cost a whole block's Mmads where a short last block costs less).
            const Steps plain = c.steps;
            const double plainCost = Cost(p, c.block, plain, sM, sN, ChooseOrder(p, c.block, plain, sM, sN));
            int64_t rM = p.fixSM > 0 ? sM : RoundShare(p.M, sM, c.block.m);
            int64_t rN = p.fixSN > 0 ? sN : RoundShare(p.N, sN, c.block.n);
            if ((rM != sM || rN != sN) && !ChooseSteps(p, c.block, rM, rN, c.steps)) rM = sM, rN = sN, c.steps = plain;
            if ((rM != sM || rN != sN) &&
                Cost(p, c.block, c.steps, rM, rN, ChooseOrder(p, c.block, c.steps, rM, rN)) > plainCost)
                rM = sM, rN = sN, c.steps = plain;
            c.sM = rM, c.sN = rN, c.mDim = CeilDiv(p.M, rM), c.nDim = CeilDiv(p.N, rN);
            c.order = ChooseOrder(p, c.block, c.steps, rM, rN);
            c.cost = Cost(p, c.block, c.steps, rM, rN, c.order);
            if (!any || c.cost < best.cost || (c.cost == best.cost && c.mDim * c.nDim < best.mDim * best.nDim))
                best = c, any = true;
        }
    }
    return any;
}

void Fill(const Problem& p, const Plan& c, optiling::TCubeTiling& t) {
    t = optiling::TCubeTiling();
    t.usedCoreNum = int32_t(c.mDim * c.nDim);
    t.M = p.orgM, t.N = p.orgN, t.Ka = p.orgKa, t.Kb = p.orgKb;
    t.singleCoreM = int32_t(c.sM), t.singleCoreN = int32_t(c.sN), t.singleCoreK = int32_t(p.K);
    t.baseM = int32_t(c.block.m), t.baseN = int32_t(c.block.n), t.baseK = int32_t(c.block.k);
    t.stepM = int32_t(c.steps.stepM), t.stepN = int32_t(c.steps.stepN);
    t.stepKa = int32_t(c.steps.stepKa), t.stepKb = int32_t(c.steps.stepKb);
    t.depthA1 = int32_t(c.steps.stepM * c.steps.stepKa * c.steps.DbA());
    t.depthB1 = int32_t(c.steps.stepN * c.steps.stepKb * c.steps.DbB());
    t.isBias = p.isBias ? 1 : 0;
    t.transLength = int32_t(TransLength(p, c.block, c.steps));
    t.iterateOrder = c.order;
    t.dbL0A = int32_t(c.block.dbA), t.dbL0B = int32_t(c.block.dbB), t.dbL0C = int32_t(c.block.dbC);
    t.shareL1Size = int32_t(FootA(p, c.block.m, c.block.k) * t.depthA1 + FootB(p, c.block.n, c.block.k) * t.depthB1 +
                            (p.isBias ? c.block.n * p.sBias : 0));
    t.shareL0CSize = int32_t(c.block.m * c.block.n * p.sAcc * c.block.dbC);
    t.batchM = t.batchN = t.singleBatchM = t.singleBatchN = 1;
}

}  // namespace mmt

namespace {
thread_local std::string tLastFailure;  // (a string, not a char array: Note [Small TLS], core.cpp)

// Note [Matmul tiling memo]: GetTiling is a pure function of its request, and a TilingFunc calls it on
// every launch (aclnn's GetWorkspaceSize runs the op's tiling each time, as CANN does): the LoRA grad
// op asks for seven tilings per launch, which searched for ~0.2 ms. So each thread remembers the
// answers to the requests it has seen (a small table, emptied when full); the search runs once per
// distinct request. Failures are not remembered: they print their reason each time, as before.
struct Memo {
    optiling::TCubeTiling tiling;
    int32_t mDim, nDim;
};

// Every field of the request, by value (not its bytes: padding is indeterminate).
std::string KeyOf(const MatmulTilingRequest& r) {
    static_assert(sizeof(MatmulTilingRequest) == 504, "a field was added to MatmulTilingRequest: add it to KeyOf");
    std::string k(r.socName, strnlen(r.socName, sizeof(r.socName)));
    auto put = [&k](int64_t v) { k.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
    for (int64_t v : {int64_t(r.arch), int64_t(r.splitArch), int64_t(r.maxCores), r.l1, r.l0a, r.l0b, r.l0c, r.ub, r.bt,
                      int64_t(r.bufL1), int64_t(r.bufL0C), int64_t(r.bufUb), int64_t(r.bufBt)})
        put(v);
    for (const matmul_tiling::MatTilingType* t : {&r.a, &r.b, &r.c, &r.bias})
        for (int64_t v : {int64_t(t->pos), int64_t(t->type), int64_t(t->dataType), int64_t(t->isTrans)}) put(v);
    for (int64_t v : {int64_t(r.typeSet[0]), int64_t(r.typeSet[1]), int64_t(r.typeSet[2]), int64_t(r.typeSet[3]),
                      int64_t(r.isBias), int64_t(r.m), int64_t(r.n), int64_t(r.k), int64_t(r.orgM), int64_t(r.orgN),
                      int64_t(r.orgKa), int64_t(r.orgKb), int64_t(r.singleM), int64_t(r.singleN), int64_t(r.singleK),
                      int64_t(r.baseM), int64_t(r.baseN), int64_t(r.baseK), int64_t(r.traverse), int64_t(r.dim),
                      int64_t(r.multiCore)})
        put(v);
    return k;
}
}  // namespace

const char* LastMatmulTilingFailure() { return tLastFailure.c_str(); }
void ClearMatmulTilingFailure() { tLastFailure.clear(); }

int64_t ComputeMatmulTiling(const MatmulTilingRequest& req, optiling::TCubeTiling& tiling, MatmulTilingResult& res) {
    thread_local std::unordered_map<std::string, Memo> memo;  // Note [Matmul tiling memo]
    const bool memoable = req.setterError[0] == '\0';  // a setter's refusal fails in Resolve, every time
    std::string key = memoable ? KeyOf(req) : std::string();
    if (memoable) {
        if (auto it = memo.find(key); it != memo.end()) {
            tiling = it->second.tiling;
            res.mDim = it->second.mDim, res.nDim = it->second.nDim;
            res.reason[0] = '\0';
            return 0;
        }
    }
    std::string why;
    mmt::Problem p;
    mmt::Plan plan;
    bool ok = mmt::Resolve(req, p, why) && mmt::ChooseSplit(p, plan, why);
    if (ok) {
        mmt::Fill(p, plan, tiling);
        res.mDim = int32_t(plan.mDim), res.nDim = int32_t(plan.nDim);
        res.reason[0] = '\0';
        if (memoable) {
            if (memo.size() >= 256) memo.clear();
            memo.emplace(std::move(key), Memo{tiling, res.mDim, res.nDim});
        }
        return 0;
    }
    std::string msg = std::string(req.socName) + " " + (req.multiCore ? "MultiCoreMatmulTiling" : "MatmulApiTiling") +
                      "::GetTiling: " + why;
    std::snprintf(res.reason, sizeof(res.reason), "%s", msg.c_str());
    tLastFailure = msg;
    std::fprintf(stderr, "opkit: MatmulApi Tiling failed: %s\n", msg.c_str());
    return -1;
}

}  // namespace host
}  // namespace opkit
