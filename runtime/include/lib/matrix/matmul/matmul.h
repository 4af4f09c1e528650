// opkit: the Matmul high-level API's types (MatmulType, CubeFormat, MatmulConfig, CFG_NORM/CFG_MDL)
// and the Matmul class template (matmul_impl.h). Names and template parameters follow the Ascend C
// documentation (asc-devkit docs/zh/api/SIMD-API/高阶API/矩阵计算/Matmul-Kernel侧接口/, read for
// facts); the implementation is opkit's, written on the basic API so npu_simulator checks and
// costs every instruction.
#pragma once

#include "kernel_operator.h"

namespace matmul {

using AscendC::TPosition;

enum class CubeFormat { ND = 0, NZ, ZN, ZZ, NN, ND_ALIGN, SCALAR, VECTOR, ROW_MAJOR = ND, COLUMN_MAJOR = 8 };
enum class LayoutMode { NONE = 0, BSNGD, SBNGD, BNGS1S2, NORMAL };
enum class IterateOrder { ORDER_M = 0, ORDER_N, UNDEF };
enum class ScheduleType { INNER_PRODUCT = 0, OUTER_PRODUCT };
enum class BatchMode { NONE = 0, BATCH_LESS_THAN_L1, BATCH_LARGE_THAN_L1, SINGLE_LARGE_THAN_L1 };

// MatmulType<position, format, T, isTrans, layout, ibShare>: one operand's place, layout and type.
template <TPosition POSITION, CubeFormat FORMAT, typename TYPE, bool ISTRANS = false,
          LayoutMode LAYOUT = LayoutMode::NONE, bool IBSHARE = false>
struct MatmulType {
    constexpr static TPosition pos = POSITION;
    constexpr static CubeFormat format = FORMAT;
    using T = TYPE;
    constexpr static bool isTrans = ISTRANS;
    constexpr static LayoutMode layout = LAYOUT;
    constexpr static bool ibShare = IBSHARE;
};

// The documented template configuration; opkit reads doNorm/doMultiDataLoad (which constraint
// table applies) and accepts the other fields.
struct MatmulConfig {
    bool doNorm = true;
    bool doBasicBlock = false;
    bool doMultiDataLoad = false;
    uint32_t basicM = 0, basicN = 0, basicK = 0;
    bool intrinsicsCheck = false;
    bool isNBatch = false;
    bool enVecND2NZ = false;
    bool doSpecialBasicBlock = false;
    uint32_t doMTE2Preload = 0;
    uint32_t singleCoreM = 0, singleCoreN = 0, singleCoreK = 0;
    uint32_t stepM = 0, stepN = 0, baseMN = 0, singleCoreMN = 0;
    bool enUnitFlag = true;
    bool isPerTensor = false;
    bool hasAntiQuantOffset = false;
    bool doIBShareNorm = false;
    bool doSpecialMDL = false;
    bool enableInit = true;
    BatchMode batchMode = BatchMode::NONE;
    bool enableEnd = true, enableGetTensorC = true, enableSetOrgShape = true, enableSetBias = true;
    bool enableSetTail = true, enableQuantVector = true, enableSetDefineData = true;
    uint8_t iterateMode = 0;
    bool enableReuse = true, enableUBReuse = false, enableL1CacheUB = false, intraBlockPartSum = false;
    IterateOrder iterateOrder = IterateOrder::UNDEF;
    ScheduleType scheduleType = ScheduleType::INNER_PRODUCT;
};

constexpr MatmulConfig GetNormalConfig() { return MatmulConfig{}; }
constexpr MatmulConfig GetMDLConfig() {
    MatmulConfig c{};
    c.doNorm = false;
    c.doMultiDataLoad = true;
    return c;
}
constexpr MatmulConfig CFG_NORM = GetNormalConfig();
constexpr MatmulConfig CFG_MDL = GetMDLConfig();

// Callbacks (MatmulCallBackFunc.md): opkit accepts the type; user callbacks are not called.
template <auto DataCopyOut = nullptr, auto CopyA1 = nullptr, auto CopyB1 = nullptr>
struct MatmulCallBackFunc {
    static constexpr bool kHasCallbacks = DataCopyOut != nullptr || CopyA1 != nullptr || CopyB1 != nullptr;
};

}  // namespace matmul

#include "lib/matrix/matmul/matmul_impl.h"

namespace AscendC {
// The integer helpers the Matmul headers bring along (kernels call them unqualified).
template <typename T>
__aicore__ inline T Ceil(T num1, T num2) {
    if (!(num2 > 0)) opkit::rt::Fail("Ceil: the divisor " + std::to_string(num2) + " must be > 0");
    return (num1 + num2 - 1) / num2;
}
template <typename T>
__aicore__ inline T CeilAlign(T num1, T num2) { return Ceil(num1, num2) * num2; }
using matmul::CubeFormat;
using matmul::GetMDLConfig;
using matmul::GetNormalConfig;
using matmul::IterateOrder;
using matmul::LayoutMode;
using matmul::Matmul;
using matmul::MatmulCallBackFunc;
using matmul::MatmulConfig;
using matmul::MatmulType;
using matmul::ScheduleType;
using matmul::CFG_MDL;
using matmul::CFG_NORM;
}  // namespace AscendC
