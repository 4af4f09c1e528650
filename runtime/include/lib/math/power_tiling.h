// opkit's lib/math/power_tiling.h: Power's host-side temporary-buffer query
// (高阶API/数学计算/Power接口/GetPowerMaxMinTmpSize.md). CANN's formula for arch 2201 (asc-devkit
// impl/adv_api/tiling/math/power_tiling_impl.cpp): a per-form count of 256-byte rows (float: 4 for
// tensor^tensor, 5 with a scalar; half 14; int32 6/7), the minimum with one row, the maximum with
// rows of the whole input; floating types add one 256-byte repeat, half halves the row count. A
// shape of one dimension of length 1 stands for the scalar operand.
#pragma once

#include <algorithm>
#include <string>

#include "opkit/host/ge_shape.h"
#include "opkit/rt/api.h"

namespace AscendC {
namespace detail {
constexpr uint32_t POWER_ROW = 256;  // CANN's POWER_MIN_TMP_SIZE
inline uint32_t PowerRows(bool tt, bool isInt, uint32_t typeSize) {
    if (isInt) return tt ? 6 : 7;
    if (typeSize == 4) return tt ? 4 : 5;
    return 14;
}
inline uint32_t PowerTmpMin(bool tt, uint32_t typeSize, bool isInt = false) {
    const uint32_t rows = PowerRows(tt, isInt, typeSize);
    if (isInt) return POWER_ROW * rows;
    if (typeSize == 4) return POWER_ROW * rows + 256;
    return POWER_ROW * rows / 2 + 256;
}
inline uint32_t PowerTmpMax(bool tt, uint32_t typeSize, bool isInt, uint32_t elems) {
    const uint32_t rows = PowerRows(tt, isInt, typeSize);
    const uint32_t row = typeSize == 4 ? std::max(elems * typeSize, POWER_ROW) : std::max(elems * typeSize, POWER_ROW / 2);
    return row * rows + (isInt ? 0 : 256);
}
inline bool PowerShapeIsTensor(const ge::Shape& s) { return !(s.GetDimNum() == 1 && s.GetDim(0) == 1); }
}  // namespace detail

inline void GetPowerMaxMinTmpSize(const ge::Shape& srcShape1, const ge::Shape& srcShape2, const bool typeIsInt,
                                  const uint32_t typeSize, const bool isReuseSource, uint32_t& maxValue,
                                  uint32_t& minValue) {
    (void)isReuseSource;
    if (typeSize != 2 && typeSize != 4)
        opkit::rt::Fail("GetPowerMaxMinTmpSize: typeSize " + std::to_string(typeSize) +
                        " is not 2 (half) or 4 (float, int32_t)");
    const bool t1 = detail::PowerShapeIsTensor(srcShape1), t2 = detail::PowerShapeIsTensor(srcShape2);
    const ge::Shape& s = t1 ? srcShape1 : srcShape2;
    uint64_t elems = 1;
    for (size_t i = 0; i < s.GetDimNum(); ++i) elems *= uint64_t(s.GetDim(i));
    minValue = detail::PowerTmpMin(t1 && t2, typeSize, typeIsInt);
    maxValue = detail::PowerTmpMax(t1 && t2, typeSize, typeIsInt, uint32_t(elems));
}

}  // namespace AscendC
