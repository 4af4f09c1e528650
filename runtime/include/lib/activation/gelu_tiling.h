// opkit's lib/activation/gelu_tiling.h: the temporary-buffer queries shared by Gelu and FasterGelu
// (高阶API/激活函数/Gelu接口/GetGeluMaxMinTmpSize.md): three float temporaries per element.
#pragma once

#include "lib/activation/opkit_activation_tmp.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {

inline uint32_t GetGeluMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize) {
    opkit::host::QueryElems("GetGeluMinTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetGeluMinTmpSize", typeSize);
    return detail::GeluTmpMin();
}
inline uint32_t GetGeluMaxTmpSize(const ge::Shape& srcShape, const uint32_t typeSize) {
    const uint32_t n = opkit::host::QueryElems("GetGeluMaxTmpSize", srcShape);
    opkit::host::QueryTypeSize("GetGeluMaxTmpSize", typeSize);
    return detail::GeluTmpMax(n);
}
inline void GetGeluMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, uint32_t& maxValue,
                                 uint32_t& minValue) {
    maxValue = GetGeluMaxTmpSize(srcShape, typeSize);
    minValue = GetGeluMinTmpSize(srcShape, typeSize);
}

}  // namespace AscendC
