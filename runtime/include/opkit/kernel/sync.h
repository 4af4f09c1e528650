// opkit: synchronisation, core identity, tiling access and kernel-side utilities.
#pragma once

#include <cstdarg>
#include <cstdio>

#include "opkit/kernel/tensor.h"

namespace opkit {
namespace rt {
// Hooks for pipe ordering. On the CPU every instruction of a core completes before the next one
// starts, so the order these enforce already holds; the runtime records them for the
// npu_simulator mode's dependency and timing model.
void OnBarrier(pipe_t pipe);
void OnSetFlag(AscendC::HardEvent evt, int32_t id);
void OnWaitFlag(AscendC::HardEvent evt, int32_t id);
// The HardEvent that couples two pipes (set_flag/wait_flag name the pipes); fails for a pair no
// HardEvent couples. `what` names the caller in the error.
AscendC::HardEvent EventOfPipes(pipe_t src, pipe_t dst, const char* what);
// Cross-core synchronisation (runtime/src/xcore.cpp, Note [Cross-core flags]).
void OnSyncAll(bool aivOnly);
void OnSoftSyncAll(void* gm, uint64_t gmBytes, void* ub, uint64_t ubBytes, int32_t usedCores, bool aivOnly);
// IBSet (set = true) and IBWait (Note [IBSet and IBWait], runtime/src/xcore_sync.cpp).
void OnIBSync(void* gm, uint64_t gmBytes, void* ub, uint64_t ubBytes, int32_t blockIdx, int32_t eventID, bool aivOnly,
              bool set);
void OnCrossCoreSetFlag(int mode, int pipe, uint16_t flagId);
void OnCrossCoreWaitFlag(int mode, uint16_t flagId);
int32_t TaskRation();
void DeclareTaskType(int type);
// Note [Kernel type from the instructions]: the kernel issues work that implies this type.
void InferTaskType(int type);
void SetVectorMask(uint64_t hi, uint64_t lo);
void SetLoad3DPadding(uint32_t bits);
void LoadTiling(void* dst, size_t bytes, const void* blob, const char* type);
uint8_t* SysWorkspace();
void SetSysWorkspace(uint8_t* workspace);
void KernelPrintf(const char* fmt, va_list ap);
void AssertFailed(const char* expr, const char* file, int line);
inline int AssertValue(bool ok, const char* expr, const char* file, int line) {
    if (!ok) AssertFailed(expr, file, line);
    return 0;
}
}  // namespace rt
}  // namespace opkit

namespace AscendC {

__aicore__ inline int64_t GetBlockIdx() { return opkit::rt::BlockIdx(); }
__aicore__ inline int64_t GetBlockNum() { return opkit::rt::BlockNum(); }
// MIX launches (GetBlockIdx.md, GetBlockNum.md, GetSubBlockIdx(ISASI).md): GetBlockNum is numBlocks
// everywhere; on the AIVs of a 1:2 launch GetBlockIdx runs over [0, 2 * numBlocks), sub-block 0/1.
__aicore__ inline int64_t GetSubBlockIdx() { return opkit::rt::SubBlockIdx(); }
__aicore__ inline int64_t GetTaskRation() { return opkit::rt::TaskRation(); }
__aicore__ inline int64_t GetTaskRatio() { return opkit::rt::TaskRation(); }
__aicore__ inline int64_t GetSubBlockNum() { return opkit::rt::TaskRation(); }

template <pipe_t pipe>
__aicore__ inline void PipeBarrier() { opkit::rt::OnBarrier(pipe); }

template <HardEvent evt>
__aicore__ inline void SetFlag(int32_t eventId) { opkit::rt::OnSetFlag(evt, eventId); }
template <HardEvent evt>
__aicore__ inline void WaitFlag(int32_t eventId) { opkit::rt::OnWaitFlag(evt, eventId); }

// The hardware form: all vector cores (isAIVOnly) or, in a MIX launch, every AIC and AIV.
// soc: 910B
template <bool isAIVOnly = true>
__aicore__ inline void SyncAll() { opkit::rt::OnSyncAll(isAIVOnly); }
// The software form, through a zeroed GM workspace of 32 bytes per core (SyncAll.md).
template <bool isAIVOnly = true>
__aicore__ inline void SyncAll(const GlobalTensor<int32_t>& gmWorkspace, const LocalTensor<int32_t>& ubWorkspace,
                               const int32_t usedCores = 0) {
    auto* ub = opkit::rt::MemBase(detail::MemOf(ubWorkspace.GetPosition())) + ubWorkspace.GetPhyAddr();
    opkit::rt::OnSoftSyncAll(gmWorkspace.GetPhyAddr(0), gmWorkspace.GetSize() * sizeof(int32_t), ub,
                             uint64_t(ubWorkspace.GetSize()) * sizeof(int32_t), usedCores, isAIVOnly);
}

// One core tells another it may go on, through a flag in a zeroed GM workspace (IBSet.md, IBWait.md):
// IBSet(gm, ub, blockIdx, eventID) on the core that is waited for, IBWait with the same arguments on
// the core that waits. blockIdx names the core that sets. The workspace holds 32 bytes per core and
// event: GetBlockNum() * 32 * (largest eventID + 1) bytes at least; ubWorkspace 32 bytes.
template <bool isAIVOnly = true>
__aicore__ inline void IBSet(const GlobalTensor<int32_t>& gmWorkspace, const LocalTensor<int32_t>& ubWorkspace,
                             int32_t blockIdx, int32_t eventID) {
    auto* ub = opkit::rt::MemBase(detail::MemOf(ubWorkspace.GetPosition())) + ubWorkspace.GetPhyAddr();
    opkit::rt::OnIBSync(gmWorkspace.GetPhyAddr(0), gmWorkspace.GetSize() * sizeof(int32_t), ub,
                        uint64_t(ubWorkspace.GetSize()) * sizeof(int32_t), blockIdx, eventID, isAIVOnly, true);
}
template <bool isAIVOnly = true>
__aicore__ inline void IBWait(const GlobalTensor<int32_t>& gmWorkspace, const LocalTensor<int32_t>& ubWorkspace,
                              int32_t blockIdx, int32_t eventID) {
    auto* ub = opkit::rt::MemBase(detail::MemOf(ubWorkspace.GetPosition())) + ubWorkspace.GetPhyAddr();
    opkit::rt::OnIBSync(gmWorkspace.GetPhyAddr(0), gmWorkspace.GetSize() * sizeof(int32_t), ub,
                        uint64_t(ubWorkspace.GetSize()) * sizeof(int32_t), blockIdx, eventID, isAIVOnly, false);
}

// Modes 0 (all cores of the setter's kind), 1 (the AIVs of an AI Core), 2 (an AIC and its AIVs); flag
// ids 0..15 (CrossCoreSetFlag(ISASI).md). On A2/A3 the wait blocks every pipe whatever `pipe` says.
// soc: 910B
template <uint8_t modeId, pipe_t pipe>
__aicore__ inline void CrossCoreSetFlag(uint16_t flagId) {
    static_assert(modeId <= 2, "CrossCoreSetFlag: Atlas A2/A3 support modes 0, 1 and 2");
    static_assert(pipe != PIPE_S && pipe != PIPE_ALL, "CrossCoreSetFlag: PIPE_S and PIPE_ALL are not supported");
    opkit::rt::OnCrossCoreSetFlag(modeId, pipe, flagId);
}
// soc: 910B
template <uint8_t modeId = 0, pipe_t pipe = PIPE_S>
__aicore__ inline void CrossCoreWaitFlag(uint16_t flagId) {
    static_assert(modeId <= 2, "CrossCoreWaitFlag: Atlas A2/A3 support modes 0, 1 and 2");
    opkit::rt::OnCrossCoreWaitFlag(modeId, flagId);
}

// The workspace of a launch starts with the system part library APIs use (the TilingFunc reserves
// GetLibApiWorkSpaceSize() bytes for it), followed by the user's.
__aicore__ inline GM_ADDR GetSysWorkSpacePtr() { return opkit::rt::SysWorkspace(); }
__aicore__ inline void SetSysWorkspace(GM_ADDR workspace) { opkit::rt::SetSysWorkspace(workspace); }
__aicore__ inline GM_ADDR GetUserWorkspace(GM_ADDR workspace) {
    return workspace == nullptr ? nullptr : workspace + opkit::rt::SysWorkspaceBytes();
}

enum class MaskMode : uint8_t { NORMAL = 0, COUNTER };

template <typename T, MaskMode mode = MaskMode::NORMAL>
__aicore__ inline void SetVectorMask(const uint64_t maskHigh, const uint64_t maskLow) {
    static_assert(mode == MaskMode::NORMAL, "opkit implements the NORMAL mask mode");
    opkit::rt::SetVectorMask(maskHigh, maskLow);
}
template <typename T, MaskMode mode = MaskMode::NORMAL>
__aicore__ inline void SetVectorMask(int32_t len) {
    static_assert(mode == MaskMode::NORMAL, "opkit implements the NORMAL mask mode");
    if (len >= 128) opkit::rt::SetVectorMask(~0ull, ~0ull);
    else if (len > 64) opkit::rt::SetVectorMask((1ull << (len - 64)) - 1, ~0ull);
    else opkit::rt::SetVectorMask(0, len == 64 ? ~0ull : (1ull << len) - 1);
}
__aicore__ inline void ResetMask() { opkit::rt::SetVectorMask(~0ull, ~0ull); }
// InitSocState: the core's modal state back to its defaults, as a kernel that owns no TPipe calls it
// first: no atomic GM writes, the full vector mask (NORMAL mode, the only one opkit has), a load3d
// padding value of 0. On 910B CANN resets the mask on vector cores and the padding on cube cores;
// resetting both is the same on a core that uses only its own.
__aicore__ inline void InitSocState() {
    opkit::rt::SetAtomic(opkit::rt::AtomicOp::NONE, opkit::DType::F32);
    opkit::rt::SetVectorMask(~0ull, ~0ull);
    opkit::rt::SetLoad3DPadding(0);
}

namespace detail {
// Kernel printf arguments as C varargs can take them: 16-bit floats print as double (%f).
template <typename A>
inline auto PrintArg(const A& a) {
    if constexpr (std::is_same<A, half>::value || std::is_same<A, bfloat16_t>::value) return double(float(a));
    else return a;
}
void PrintLocked(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
}  // namespace detail

// A template, as in Ascend C: under `using namespace AscendC;` an unqualified printf picks it over
// the C library's variadic one instead of being ambiguous.
template <class... Args>
__aicore__ inline void printf(const char* fmt, Args&&... args) {
    detail::PrintLocked(fmt, detail::PrintArg(args)...);
}

template <typename T>
__aicore__ inline void DumpTensor(const LocalTensor<T>& t, uint32_t desc, uint32_t dumpSize) {
    std::printf("DumpTensor desc=%u core=%lld position=%s:", desc, (long long)GetBlockIdx(),
                detail::PositionName(t.pos_));
    for (uint32_t i = 0; i < dumpSize; ++i) std::printf(" %g", double(static_cast<float>(t.GetValue(i))));
    std::printf("\n");
}
template <typename T>
__aicore__ inline void DumpTensor(const GlobalTensor<T>& t, uint32_t desc, uint32_t dumpSize) {
    std::printf("DumpTensor desc=%u core=%lld position=GM:", desc, (long long)GetBlockIdx());
    for (uint32_t i = 0; i < dumpSize; ++i) std::printf(" %g", double(static_cast<float>(t.GetValue(i))));
    std::printf("\n");
}

}  // namespace AscendC

inline void pipe_barrier(pipe_t pipe) { opkit::rt::OnBarrier(pipe); }
inline void set_flag(pipe_t src, pipe_t dst, event_t id) {
    opkit::rt::OnSetFlag(opkit::rt::EventOfPipes(src, dst, "set_flag"), id);
}
inline void wait_flag(pipe_t src, pipe_t dst, event_t id) {
    opkit::rt::OnWaitFlag(opkit::rt::EventOfPipes(src, dst, "wait_flag"), id);
}

// Note [ASSERT is an expression suffix]: NPU builds expand ASSERT to nothing, so sources that
// compile there may leave it dangling after an expression (an official sample writes
// `this->tileNum = tileNum ASSERT(tileNum != 0 && "...");`). Here it expands to `+ check`, where
// the check returns 0: valid both as a statement (`+0;`) and after an expression (`x + 0`), and
// the condition is still checked.
#define ASSERT(expr) +::opkit::rt::AssertValue(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
#define PRINTF AscendC::printf

// Kernel types (KERNEL_TASK_TYPE_DEFAULT) decide which cores a launch starts (Note [Kernel task type]
// in runtime/src/xcore_type.cpp).
enum KernelMetaType { KERNEL_TYPE_AIV_ONLY, KERNEL_TYPE_AIC_ONLY, KERNEL_TYPE_MIX_AIV_1_0,
                      KERNEL_TYPE_MIX_AIC_1_0, KERNEL_TYPE_MIX_AIC_1_1, KERNEL_TYPE_MIX_AIC_1_2 };
#define KERNEL_TASK_TYPE_DEFAULT(type) ::opkit::rt::DeclareTaskType(static_cast<int>(type))
#define KERNEL_TASK_TYPE(key, type) ((void)(key), (void)(type))
// Which core kind runs this code: runtime checks on the CPU, used as `if ASCEND_IS_AIC { ... }`.
// Coupled SoCs (910A, 310P) have neither kind: both are false there, as in CANN.
// CANN's CPU-debug builds declare the core type as a variable, g_coreType, compared with
// AscendC::AIC/AIV/MIX (impl/utils/sys_macros.h, sys_constants.h); here it is the running core's.
namespace AscendC {
constexpr int32_t MIX = 0;
constexpr int32_t AIC = 1;
constexpr int32_t AIV = 2;
}  // namespace AscendC
#define g_coreType (::opkit::rt::CoreType())
#define ASCEND_IS_AIC (::opkit::rt::IsCubeCore())
#define ASCEND_IS_AIV (::opkit::rt::IsVectorCore())
#define ASCEND_IS_NOT_AIC (!::opkit::rt::IsCubeCore())
#define ASCEND_IS_NOT_AIV (!::opkit::rt::IsVectorCore())

// ---- tiling ------------------------------------------------------------------------------------
// Note [Tiling blob]: the host's tiling function writes the packed struct (fields in declaration
// order, little-endian, no padding) into a blob; the kernel copies it back into the same struct.
// The build names the op's struct with -DOPKIT_TILING_TYPE=... (cmake/OpkitOps.cmake).
#ifndef OPKIT_TILING_TYPE
#define OPKIT_TILING_TYPE opkit_no_tiling_struct__build_with_opkit_or_use_GET_TILING_DATA_WITH_STRUCT
#endif
// Note [Kernel macros a source may define first]: a unit test that fills the tiling struct by hand
// commonly defines its own GET_TILING_DATA (and friends) before the kernel is compiled; each
// macro here is defined only when the source has not, so the source's definition wins, as with
// CANN's headers (tests/runtime/programs/macro_override.cpp pins every one).
#ifndef GET_TILING_DATA_WITH_STRUCT
#define GET_TILING_DATA_WITH_STRUCT(type, var, tiling) \
    type var;                                         \
    ::opkit::rt::LoadTiling(&var, sizeof(var), (tiling), #type)
#endif
#ifndef GET_TILING_DATA
#define GET_TILING_DATA(var, tiling) GET_TILING_DATA_WITH_STRUCT(OPKIT_TILING_TYPE, var, tiling)
#endif
#ifndef GET_TILING_DATA_MEMBER
#define GET_TILING_DATA_MEMBER(type, member, var, tiling)                                       \
    decltype(type::member) var;                                                                 \
    ::opkit::rt::LoadTiling(&var, sizeof(var), (tiling) + offsetof(type, member), #type "::" #member)
#endif
#ifndef TILING_KEY_IS
#define TILING_KEY_IS(key) (::opkit::rt::TilingKey() == static_cast<uint64_t>(key))
#endif
#ifndef REGISTER_TILING_DEFAULT
#define REGISTER_TILING_DEFAULT(type) static_assert(sizeof(type) > 0, "")
#endif
