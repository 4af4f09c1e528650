// opkit: the matmul tiler's working types, shared by matmul_tiling.cpp (the choice, Note [Matmul
// tiling]) and matmul_tiling_check.cpp (request checks and the per-block L0 limits).
#pragma once

#include <cstdint>
#include <string>

#include "opkit/host/matmul_tiling.h"

namespace opkit {
namespace host {
namespace mmt {

// A request resolved: shapes, byte sizes and the memories the tiling may use.
struct Problem {
    int64_t M = 0, N = 0, K = 0;             // the shape to tile (SetShape, else the original)
    int32_t orgM = 0, orgN = 0, orgKa = 0, orgKb = 0;
    int64_t sA = 2, sB = 2, sC = 4, sBias = 4, sAcc = 4;  // bytes per element
    int64_t c0A = 16, c0B = 16;              // elements in 32 bytes of A / B
    int64_t kAlign = 16;                     // baseK granularity: max(16, C0)
    bool transA = false, transB = false, isBias = false, int8 = false;
    bool splitArch = true, ndA = true, ndB = true, cStaged = false, biasStaged = false;
    int64_t l1 = 0, l0a = 0, l0b = 0, l0c = 0, ub = 0, bt = 0;
    int64_t fixM = -1, fixN = -1, fixK = -1;   // SetFixSplit
    int64_t fixSM = -1, fixSN = -1;            // SetSingleShape
    int traverse = 0;                          // MatrixTraverse
    int64_t dim = 1;
    bool multiCore = false;
};

struct Block {
    int64_t m = 0, n = 0, k = 0;
    int64_t dbA = 2, dbB = 2, dbC = 1;
};

struct Steps {
    int64_t stepM = 1, stepN = 1, stepKa = 1, stepKb = 1, db = 2;
    int64_t dbB = 0;  // B1's buffer count when it differs from A1's (`db`); 0: the same
    int64_t DbA() const { return db; }
    int64_t DbB() const { return dbB > 0 ? dbB : db; }
};

struct Plan {
    Block block;
    Steps steps;
    int64_t sM = 0, sN = 0, mDim = 1, nDim = 1;
    int order = 0;
    double cost = 0;
};

bool Resolve(const MatmulTilingRequest& req, Problem& p, std::string& why);
// baseK and the L0 double buffers for a baseM x baseN block, or false with the reason.
bool BlockFits(const Problem& p, int64_t bm, int64_t bn, Block& out, std::string& why);
bool ChooseSteps(const Problem& p, const Block& b, int64_t sM, int64_t sN, Steps& out);

}  // namespace mmt
}  // namespace host
}  // namespace opkit
