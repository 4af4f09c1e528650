// opkit: the kernel API under its CANN 6.3/7.0-era names, so that kernels and CPU-debug mains written
// for that era (Ascend/samples `6_ascendc_custom_op/kernel_invocation`, `acl_invocation/op_dev`)
// compile unchanged.
//
// Note [The tik2 namespace]
// Before CANN called it Ascend C, the kernel API lived in `namespace tik2`: kernels write
// `using namespace tik2;`, mains call `tik2::GmAlloc`/`tik2::GmFree`, and some samples reopen the
// namespace to put their own kernel class in it (`namespace tik2 { template <typename T> class
// KernelTopk ... }`). A namespace alias (`namespace tik2 = AscendC;`) cannot be reopened, so tik2 is
// a namespace of its own that nominates AscendC: qualified lookup (`tik2::GmAlloc`), a
// `using namespace tik2;` and unqualified lookup inside a reopened `namespace tik2 { ... }` all find
// the one AscendC API; nothing is duplicated, so every call is the same instruction on the software
// AI Core and under npu_simulator. What that era had and later CANN dropped is defined in AscendC
// here (ParamOffset, IsSameType), so both spellings reach it; the device variables
// block_idx and block_num are globals, as on the device.
#pragma once

#include <cstdint>
#include <type_traits>

#include "opkit/kernel/sync.h"
#include "opkit/kernel/types.h"

namespace AscendC {

// ParamOffset<T>(gm, blockLength): the start of this core's slice of a GM parameter that is split
// into equal consecutive slices of `blockLength` elements of T, one per core: gm + GetBlockIdx() *
// blockLength * sizeof(T). The 2023 kernels call it once per tensor before SetGlobalBuffer.
template <typename T>
__aicore__ inline GM_ADDR ParamOffset(GM_ADDR gm, uint32_t blockLength) {
    return gm + static_cast<uint64_t>(GetBlockIdx()) * blockLength * sizeof(T);
}

// IsSameType<T, U>::value: whether T and U are the same type (kernels branch on their dtype with it).
template <typename T, typename U>
struct IsSameType : std::false_type {};
template <typename T>
struct IsSameType<T, T> : std::true_type {};

}  // namespace AscendC

namespace opkit {
// The device's block_idx / block_num built-in variables, which that era's kernels read directly. On
// the NPU GetBlockIdx() is block_idx, except on the AIVs of a MIX launch, where it is block_idx *
// GetTaskRation() + GetSubBlockIdx(); these read the current core's values through the same calls.
struct BlockIdxVariable {
    __aicore__ operator int64_t() const {
        return (AscendC::GetBlockIdx() - AscendC::GetSubBlockIdx()) / AscendC::GetTaskRation();
    }
};
struct BlockNumVariable {
    __aicore__ operator int64_t() const { return AscendC::GetBlockNum(); }
};
}  // namespace opkit

constexpr opkit::BlockIdxVariable block_idx{};
constexpr opkit::BlockNumVariable block_num{};

namespace tik2 {
using namespace AscendC;  // Note [The tik2 namespace]
}  // namespace tik2
