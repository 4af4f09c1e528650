// opkit's lib/activation/logsoftmax.h: LogSoftMax (高阶API/激活函数/LogSoftMax接口/LogSoftMax.md) on the
// rows of a [m, k] tensor: SoftMax's steps (row max, subtract, exp, row sum, divide; max and sum
// written as [m, one block]), then the base-10 logarithm the reference gives (np.log10 of the
// quotient), all in float (lib/activation/opkit_softmax_impl.h, SoftMaxPass with log10Out). Only the
// sharedTmpBuffer form exists, as in CANN; ND data only.
//
// Tested by: pytest tests/hlapi/test_logsoftmax.py
#pragma once

#include "lib/activation/logsoftmax_tiling.h"
#include "lib/activation/softmax.h"

namespace AscendC {

template <typename T, bool isReuseSource = false, bool isDataFormatNZ = false>
__aicore__ inline void LogSoftMax(const LocalTensor<T>& dst, const LocalTensor<T>& sum, const LocalTensor<T>& max,
                                  const LocalTensor<T>& src, const LocalTensor<uint8_t>& sharedTmpBuffer,
                                  const LogSoftMaxTiling& tiling, const SoftMaxShapeInfo& softmaxShapeInfo = {}) {
    static_assert(!isDataFormatNZ, "opkit implements LogSoftMax for ND data only (isDataFormatNZ = false)");
    detail::SoftMaxRun<T, T, LogSoftMaxTiling>(dst, &sum, &max, src, &sharedTmpBuffer, tiling, softmaxShapeInfo,
                                               "LogSoftMax");
}

}  // namespace AscendC
