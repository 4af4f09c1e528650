// opkit: the LocalTensor operator expressions (`z = x * y`, `+`, `-`, `/`): Ascend C's symbol
// overloads, each the count form of the vector instruction over the destination's size.
#pragma once

#include "opkit/kernel/vec.h"

namespace AscendC {
namespace detail {

template <typename T>
void VecExpr<T>::Process(const LocalTensor<T>& dst) const {
    BinaryCount(op, name, dst, a, b, static_cast<int32_t>(dst.GetSize()));
}

}  // namespace detail
}  // namespace AscendC
