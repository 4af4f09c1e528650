// opkit: CANN's host-side matmul tiling API (namespace matmul_tiling), reached through
// tiling/tiling_api.h. Names, enum values and signatures follow the documented interface
// (asc-devkit docs, "Matmul Tiling类"); the algorithm is opkit's own: Note [Matmul tiling] in
// runtime/src/matmul_tiling.cpp.
//
// Note [Matmul tiling ABI]: everything in the classes is inline; the one call into libopkit_rt,
// opkit::host::ComputeMatmulTiling, takes plain structs (no std::string, no containers), so a
// program built with -D_GLIBCXX_USE_CXX11_ABI=0 (as the official samples are) links against it.
// The reason a GetTiling failed lives in a char buffer of the object (GetFailReason, an opkit
// extension), is printed to stderr once (CANN writes it to its log under "MatmulApi Tiling"), and
// is remembered per thread so that a TilingFunc returning GRAPH_FAILED after it names the cause.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernel_tiling/kernel_tiling.h"
#include "tiling/platform/platform_ascendc.h"

namespace matmul_tiling {

// Values as in CANN's matmul_tiling_base.h (DT_BF16 and DT_BFLOAT16 both name bfloat16).
enum class DataType : int32_t {
    DT_FLOAT = 0, DT_FLOAT16 = 1, DT_INT8 = 2, DT_INT32 = 3, DT_UINT8 = 4, DT_INT16 = 6, DT_UINT16 = 7,
    DT_UINT32 = 8, DT_INT64 = 9, DT_UINT64 = 10, DT_DOUBLE = 11, DT_BOOL = 12, DT_STRING = 13,
    DT_DUAL_SUB_INT8 = 14, DT_DUAL_SUB_UINT8 = 15, DT_COMPLEX64 = 16, DT_COMPLEX128 = 17, DT_QINT8 = 18,
    DT_QINT16 = 19, DT_QINT32 = 20, DT_QUINT8 = 21, DT_QUINT16 = 22, DT_RESOURCE = 23, DT_STRING_REF = 24,
    DT_DUAL = 25, DT_VARIANT = 26, DT_BF16 = 27, DT_UNDEFINED = 28, DT_INT4 = 29, DT_UINT1 = 30,
    DT_INT2 = 31, DT_UINT2 = 32, DT_BFLOAT16 = 33, DT_HIFLOAT8 = 34, DT_FLOAT8_E4M3FN = 35,
    DT_FLOAT8_E5M2 = 36, DT_FLOAT4_E2M1 = 37, DT_FLOAT8_E8M0 = 38, DT_FLOAT4_E1M2 = 39, DT_MAX = 40,
};

// The host library's own position enum (distinct from AscendC::TPosition, which kernels use).
enum class TPosition : int32_t {
    GM, A1, A2, B1, B2, C1, C2, CO1, CO2, VECIN, VECOUT, VECCALC, LCM = VECCALC, SPM, SHM = SPM, TSCM, MAX,
};

enum class CubeFormat : int32_t {
    ND = 0, NZ, ZN, ZZ, NN, ND_ALIGN, SCALAR, VECTOR, ROW_MAJOR = ND, COLUMN_MAJOR = 8,
};

enum class MatrixTraverse : int32_t { NOSET = 0, FIRSTM = 1, FIRSTN = 2 };
enum class MatrixMadType : int32_t { NORMAL = 0, HF32 = 1, MXMODE = 2 };
enum class DequantType : int32_t { SCALAR = 0, TENSOR = 1 };
enum class ScheduleType : int32_t { INNER_PRODUCT = 0, OUTER_PRODUCT = 1, N_BUFFER_33 = 2 };

struct MatTilingType {
    TPosition pos = TPosition::GM;
    CubeFormat type = CubeFormat::ND;
    DataType dataType = DataType::DT_FLOAT;
    bool isTrans = false;
};

// Per-core memory sizes for the PlatformInfo constructor (GetSocVersion + GetCoreMemSize).
struct PlatformInfo {
    platform_ascendc::SocVersion socVersion;
    uint64_t l1Size = 0;
    uint64_t l0CSize = 0;
    uint64_t ubSize = 0;
    uint64_t l0ASize = 0;
    uint64_t l0BSize = 0;
};

}  // namespace matmul_tiling

namespace opkit {
namespace host {

// What GetTiling works from: the SoC's memories and every setter's value (-1: not set).
struct MatmulTilingRequest {
    char socName[32] = {};
    int32_t arch = 0;          // SocInfo::arch (2201 910B, 1001 910A, 2002 310P)
    bool splitArch = false;    // separate AIC/AIV cores, BiasTable in C2 (910B)
    int32_t maxCores = 1;      // what SetDim may ask for (PlatformAscendC::GetCoreNum)
    int64_t l1 = 0, l0a = 0, l0b = 0, l0c = 0, ub = 0, bt = 0;  // the SoC's bytes per core
    int32_t bufL1 = -1, bufL0C = -1, bufUb = -1, bufBt = -1;    // SetBufferSpace
    matmul_tiling::MatTilingType a, b, c, bias;
    bool typeSet[4] = {};  // A, B, C, bias
    bool isBias = false;
    int32_t m = -1, n = -1, k = -1;                           // SetShape
    int32_t orgM = -1, orgN = -1, orgKa = -1, orgKb = -1;     // SetOrgShape
    int32_t singleM = -1, singleN = -1, singleK = -1;         // SetSingleShape
    int32_t baseM = -1, baseN = -1, baseK = -1;               // SetFixSplit
    matmul_tiling::MatrixTraverse traverse = matmul_tiling::MatrixTraverse::NOSET;
    int32_t dim = 1;          // SetDim (CANN's default: one core)
    bool multiCore = false;   // MultiCoreMatmulTiling: split M and N over `dim` cores
    char setterError[256] = {};  // the first setter that returned -1, and why
};

struct MatmulTilingResult {
    int32_t mDim = 0, nDim = 0;
    char reason[512] = {};
};

// Fills `tiling` and returns 0, or returns -1 with result.reason (Note [Matmul tiling]).
int64_t ComputeMatmulTiling(const MatmulTilingRequest& request, optiling::TCubeTiling& tiling,
                            MatmulTilingResult& result);
// The request of a tiling object built without a platform (rt::DefaultSoc) or from a PlatformInfo.
void DefaultMatmulPlatform(MatmulTilingRequest& request);
void MatmulPlatformFrom(MatmulTilingRequest& request, const opkit::rt::SocInfo& soc);
bool MatmulPlatformFromInfo(MatmulTilingRequest& request, const matmul_tiling::PlatformInfo& info);
// The last matmul tiling failure on this thread ("" if none since the last clear).
const char* LastMatmulTilingFailure();
void ClearMatmulTilingFailure();

}  // namespace host
}  // namespace opkit

namespace matmul_tiling {

class MatmulApiTilingBase {
public:
    MatmulApiTilingBase() { opkit::host::DefaultMatmulPlatform(req_); }
    explicit MatmulApiTilingBase(const platform_ascendc::PlatformAscendC& ascendcPlatform) {
        opkit::host::MatmulPlatformFrom(req_, ascendcPlatform.OpkitSoc());
    }
    explicit MatmulApiTilingBase(const PlatformInfo& platform) {
        if (!opkit::host::MatmulPlatformFromInfo(req_, platform)) Reject("PlatformInfo", "unknown socVersion");
    }
    virtual ~MatmulApiTilingBase() = default;

    int32_t SetAType(TPosition pos, CubeFormat type, DataType dataType, bool isTrans = false) {
        return SetType(0, "SetAType", pos, type, dataType, isTrans);
    }
    int32_t SetBType(TPosition pos, CubeFormat type, DataType dataType, bool isTrans = false) {
        return SetType(1, "SetBType", pos, type, dataType, isTrans);
    }
    int32_t SetCType(TPosition pos, CubeFormat type, DataType dataType) {
        return SetType(2, "SetCType", pos, type, dataType, false);
    }
    int32_t SetBiasType(TPosition pos, CubeFormat type, DataType dataType) {
        return SetType(3, "SetBiasType", pos, type, dataType, false);
    }
    int32_t SetShape(int32_t m, int32_t n, int32_t k) {
        if (m == 0 || n == 0 || k == 0 || m < -1 || n < -1 || k < -1)
            return Reject("SetShape", "m, n and k must be > 0 (or -1 for the original shape)");
        req_.m = m, req_.n = n, req_.k = k;
        return 0;
    }
    int32_t SetOrgShape(int32_t orgMIn, int32_t orgNIn, int32_t orgKIn) {
        return SetOrgShape(orgMIn, orgNIn, orgKIn, orgKIn);
    }
    int32_t SetOrgShape(int32_t orgMIn, int32_t orgNIn, int32_t orgKaIn, int32_t orgKbIn) {
        if (orgMIn <= 0 || orgNIn <= 0 || orgKaIn <= 0 || orgKbIn <= 0)
            return Reject("SetOrgShape", "M, N, Ka and Kb must be > 0");
        req_.orgM = orgMIn, req_.orgN = orgNIn, req_.orgKa = orgKaIn, req_.orgKb = orgKbIn;
        return 0;
    }
    int32_t SetFixSplit(int32_t baseMIn = -1, int32_t baseNIn = -1, int32_t baseKIn = -1) {
        if (baseMIn == 0 || baseNIn == 0 || baseKIn == 0 || baseMIn < -1 || baseNIn < -1 || baseKIn < -1)
            return Reject("SetFixSplit", "baseM, baseN and baseK must be > 0 (or -1: chosen by the tiling)");
        req_.baseM = baseMIn, req_.baseN = baseNIn, req_.baseK = baseKIn;
        return 0;
    }
    int32_t SetBufferSpace(int32_t l1Size = -1, int32_t l0CSize = -1, int32_t ubSize = -1, int32_t btSize = -1) {
        if (l1Size < -1 || l0CSize < -1 || ubSize < -1 || btSize < -1)
            return Reject("SetBufferSpace", "sizes are bytes >= 0, or -1 for the whole buffer");
        req_.bufL1 = l1Size, req_.bufL0C = l0CSize, req_.bufUb = ubSize, req_.bufBt = btSize;
        return 0;
    }
    int32_t EnableBias(bool isBiasIn = false) { req_.isBias = isBiasIn; return 0; }
    int32_t SetBias(bool isBiasIn = false) { return EnableBias(isBiasIn); }
    int32_t SetTraverse(MatrixTraverse traverse) {
        if (traverse != MatrixTraverse::FIRSTM && traverse != MatrixTraverse::FIRSTN && traverse != MatrixTraverse::NOSET)
            return Reject("SetTraverse", "traverse must be MatrixTraverse::FIRSTM or FIRSTN");
        req_.traverse = traverse;
        return 0;
    }

    int32_t GetBaseM() const { return last_.baseM; }
    int32_t GetBaseN() const { return last_.baseN; }
    int32_t GetBaseK() const { return last_.baseK; }
    // opkit extension: why the last GetTiling returned -1 ("" after a success).
    const char* GetFailReason() const { return result_.reason; }

    int64_t GetTiling(optiling::TCubeTiling& tiling) {
        result_ = opkit::host::MatmulTilingResult();
        int64_t ret = opkit::host::ComputeMatmulTiling(req_, tiling, result_);
        if (ret == 0) last_ = tiling, done_ = true;
        return ret;
    }

protected:
    int32_t Reject(const char* what, const char* why) {
        if (req_.setterError[0] == '\0') {
            std::strncat(req_.setterError, what, sizeof(req_.setterError) - 1);
            std::strncat(req_.setterError, ": ", sizeof(req_.setterError) - std::strlen(req_.setterError) - 1);
            std::strncat(req_.setterError, why, sizeof(req_.setterError) - std::strlen(req_.setterError) - 1);
        }
        return -1;
    }
    int32_t SetType(int which, const char* what, TPosition pos, CubeFormat type, DataType dt, bool trans) {
        if (static_cast<int32_t>(pos) < 0 || static_cast<int32_t>(pos) >= static_cast<int32_t>(TPosition::MAX))
            return Reject(what, "pos is not a TPosition");
        if (static_cast<int32_t>(dt) < 0 || static_cast<int32_t>(dt) >= static_cast<int32_t>(DataType::DT_MAX))
            return Reject(what, "dataType is not a DataType");
        MatTilingType* slot[4] = {&req_.a, &req_.b, &req_.c, &req_.bias};
        *slot[which] = MatTilingType{pos, type, dt, trans};
        req_.typeSet[which] = true;
        return 0;
    }

    opkit::host::MatmulTilingRequest req_;
    opkit::host::MatmulTilingResult result_;
    optiling::TCubeTiling last_;
    bool done_ = false;
};

// Single-core tiling: the whole SetShape problem on one core (usedCoreNum = 1).
class MatmulApiTiling : public MatmulApiTilingBase {
public:
    using MatmulApiTilingBase::MatmulApiTilingBase;
};

// Multi-core tiling: M and N split over up to SetDim cores (K is never split).
class MultiCoreMatmulTiling : public MatmulApiTilingBase {
public:
    MultiCoreMatmulTiling() { req_.multiCore = true; }
    explicit MultiCoreMatmulTiling(const platform_ascendc::PlatformAscendC& p) : MatmulApiTilingBase(p) {
        req_.multiCore = true;
    }
    explicit MultiCoreMatmulTiling(const PlatformInfo& p) : MatmulApiTilingBase(p) { req_.multiCore = true; }

    int32_t SetDim(int32_t dim) {
        if (dim <= 0) return Reject("SetDim", "dim (the cores the tiling may use) must be >= 1");
        req_.dim = dim;
        return 0;
    }
    int32_t SetSingleShape(int32_t singleMIn = -1, int32_t singleNIn = -1, int32_t singleKIn = -1) {
        if (singleMIn == 0 || singleNIn == 0 || singleKIn == 0 || singleMIn < -1 || singleNIn < -1 || singleKIn < -1)
            return Reject("SetSingleShape", "single shapes must be > 0 (or -1: chosen by the tiling)");
        req_.singleM = singleMIn, req_.singleN = singleNIn, req_.singleK = singleKIn;
        return 0;
    }
    int32_t GetSingleShape(int32_t& shapeM, int32_t& shapeN, int32_t& shapeK) const {
        if (!done_) return -1;
        shapeM = last_.singleCoreM, shapeN = last_.singleCoreN, shapeK = last_.singleCoreK;
        return 0;
    }
    int32_t GetCoreNum(int32_t& dim, int32_t& mDim, int32_t& nDim) const {
        if (!done_) return -1;
        dim = last_.usedCoreNum, mDim = mDim_, nDim = nDim_;
        return 0;
    }
    int64_t GetTiling(optiling::TCubeTiling& tiling) {
        int64_t ret = MatmulApiTilingBase::GetTiling(tiling);
        if (ret == 0) mDim_ = result_.mDim, nDim_ = result_.nDim;
        return ret;
    }

private:
    int32_t mDim_ = 0, nDim_ = 0;
};

}  // namespace matmul_tiling
