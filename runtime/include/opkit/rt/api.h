// opkit: the boundary between the Ascend C headers (compiled into each kernel) and the software AI
// Core (libopkit_rt, compiled once with optimisation). The headers keep the typed API; every
// instruction that does work crosses into the runtime here, so the hot loops are compiled once, as
// SIMD, whatever flags the user's kernel was built with.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>
#include <stdexcept>
#include <string>

#include "opkit/kernel/types.h"

// Note [Both C++ ABIs]: CANN builds CPU-debug programs with -D_GLIBCXX_USE_CXX11_ABI=0, most
// programs use the default =1, and libopkit_rt is built once. So every function a kernel, a host
// program or an acl application can reach through opkit's headers takes and returns only types
// both ABIs lay out alike (const char*, numbers, std::vector and std::function of such, our
// structs of such). Where a std::string is convenient, an inline overload in the header converts
// it, and is compiled with the caller's ABI. The declarations that still carry std::string are
// opkit's internals (the launcher, the Python binding), only visible to code built with the
// runtime's own ABI (OPKIT_RT_CXX11_ABI, set by opkit's CMake config); tests/runtime/test_abi.py
// checks the exported symbols against these headers.
#ifndef OPKIT_RT_CXX11_ABI
#define OPKIT_RT_CXX11_ABI 1
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI != OPKIT_RT_CXX11_ABI
#define OPKIT_SAME_CXX_ABI 0
#else
#define OPKIT_SAME_CXX_ABI 1
#endif

namespace opkit {

// Raised by the runtime for anything the NPU would break on. The kernel's exception becomes
// opkit.KernelError in Python; a CPU-debug program prints it and exits nonzero.
class KernelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace rt {

// On-chip memories of one AI Core (the arena each TPipe carves buffers from).
enum class Mem : uint8_t { UB = 0, L1, L0A, L0B, L0C, BT, FB, COUNT };
const char* MemName(Mem m);

struct SocInfo {
    const char* name;       // Ascend910B1
    const char* shortName;  // ascend910b
    int arch;               // 2201
    int cceAicore;          // value of __CCE_AICORE__
    int aicCores;
    int aivCores;
    double clockGhz;
    uint32_t memBytes[static_cast<int>(Mem::COUNT)];
    bool hasDataCopyPad;
    bool hasBf16;
    bool splitArch;  // cube and vector cores are separate (910B)
    uint32_t ubScratchBytes;   // top of UB the API borrows as scratch (TMP_UB_SIZE); TPipe still gives it out
    bool floatSaturation;      // float results saturate: inf -> +-max, NaN -> 0 (910A/310P: the only mode)
};

// The SoC table: Ascend910B1..B4, Ascend910A, Ascend310P3 and their aliases.
const SocInfo* FindSoc(const char* nameOrAlias);  // nullptr when unknown
inline const SocInfo* FindSoc(const std::string& nameOrAlias) { return FindSoc(nameOrAlias.c_str()); }
const SocInfo& DefaultSoc();  // SetThreadSoc's, else $OPKIT_SOC, else Ascend910B1
void SetThreadSoc(const SocInfo* soc);  // the calling thread's device SoC (nullptr: back to the default)
const char* KnownSocNameList();  // "Ascend910B1, Ascend910B2, ..."
inline std::string KnownSocNames() { return KnownSocNameList(); }

// The state of the AI Core instance running on this thread.
struct CoreState;
CoreState& Core();  // throws KernelError outside a kernel launch
int32_t BlockIdx();  // GetBlockIdx()
int32_t BlockNum();
// MIX launches (runtime/src/xcore.cpp, Note [Cross-core execution]). On a split SoC (910B) a MIX
// launch runs each block on one cube core (AIC) and its vector cores (AIV); coupled SoCs have
// neither kind (both false).
bool IsCubeCore();
bool IsVectorCore();
int32_t SubBlockIdx();  // GetSubBlockIdx(): 0/1 on the AIVs of a 1:2 MIX launch, else 0
// CANN's g_coreType of the CPU-debug build (impl/utils/sys_constants.h): AscendC::AIC (1) on a cube
// core, AscendC::AIV (2) on a vector core, AscendC::MIX (0) on a coupled AI Core (910A, 310P).
int32_t CoreType();
// Is this core an AIV of a MIX launch (its cube work runs on the block's AIC: RunOnCube)?
bool CubeIsRemote();
// Note [Vector work on a MIX launch's cube core] (runtime/src/core.cpp): true on the AIC of a MIX
// launch, where vector instructions and copies into or out of UB do nothing, as in CANN.
bool VectorMuted();
// From an AIV of a MIX launch: run fn on the thread of this block's AIC (Core(), its memories,
// pipes and model are the AIC's), wait for it and rethrow its failure. Runs fn inline when the
// launch is not MIX (AIC_MODE, coupled SoCs) or on the AIC itself.
void RunOnCube(const std::function<void()>& fn);
// On the AIC of a MIX launch: run this block's RunOnCube requests until all its AIVs have
// finished their kernel body. Also done implicitly after the AIC's kernel body returns.
void ServeCube();
// On the AIC serving a request of Matmul client `client` (Note [Matmul clients on the AIC]): make it
// the client whose tiles L1 holds; true if another client's request ran there since its last one
// (its held L1 tiles were overwritten).
bool ClaimCubeL1(const void* client);
uint64_t TilingKey();
const SocInfo& CoreSoc();
uint8_t* MemBase(Mem m);
uint64_t SysWorkspaceBytes();  // the system part of a launch's workspace (GetLibApiWorkSpaceSize)
// Fails if [addr, addr+bytes) starts inside a GM buffer of this launch and runs past its end.
void CheckGm(const void* addr, uint64_t bytes, const char* what);
uint32_t MemSize(Mem m);
[[noreturn]] void Fail(const char* what);  // throws KernelError naming the current core
[[noreturn]] inline void Fail(const std::string& what) { Fail(what.c_str()); }

#if OPKIT_SAME_CXX_ABI  // internal to opkit: carries std::string (Note [Both C++ ABIs])
// Launch `blockDim` instances of `body`, each on its own simulated core (run on a pool of host
// threads). The first failure is rethrown once all workers have stopped.
// A GM buffer the host handed to a launch. Note [GM bounds]: a copy that starts inside one of
// these and runs past its end fails, because on the CPU the bytes after a buffer belong to other
// objects (the NPU would silently read or overwrite whatever follows). Copies that start outside
// every known buffer are not judged.
struct GmRegion {
    const uint8_t* base;
    uint64_t bytes;
    std::string name;  // "input x", "output z", "workspace", ...
};

struct LaunchConfig {
    std::string kernelName;
    std::vector<GmRegion> gm;
    uint32_t blockDim = 1;
    uint64_t tilingKey = 0;
    const SocInfo* soc = nullptr;  // default SoC when null
    int threads = 0;               // 0: $OPKIT_NUM_THREADS, else the hardware's
    KernelMode mode = KernelMode::AIV_MODE;
    uint8_t* workspace = nullptr;  // the launch's workspace (GetSysWorkSpacePtr)
    const void* entry = nullptr;   // the kernel function, when known: the key of its declared kernel type
    // An op project's launch: a kernel that declares no type gets the one its instructions imply
    // (Note [Kernel type from the instructions], xcore_api.cpp); CPU-debug programs set theirs.
    bool inferType = false;
};
void Launch(const LaunchConfig& cfg, const std::function<void()>& body);
#endif  // OPKIT_SAME_CXX_ABI

// SetAtomicAdd/Max/Min/None: the GM write mode of this core's FIX and MTE3 pipes (Note [Atomic GM
// writes] in opkit/kernel/cube.h).
enum class AtomicOp : uint8_t { NONE = 0, ADD, MAX, MIN };
void SetAtomic(AtomicOp op, DType t);

// --- data movement -----------------------------------------------------------------------------
// Copy `blocks` runs of `runBytes` bytes; the source/destination runs start `srcStep`/`dstStep`
// bytes apart. Range and overlap checks are the caller's.
// npu_simulator hooks: the cost of a copy / vector instruction (no-ops outside that mode).
// A GM source is read as `srcRows` runs of `srcRowBytes` bytes, `srcStride` bytes apart (0 rows: one
// run of gmSrcSpan bytes); the model's L2 (Note [L2 model] in runtime/src/sim.cpp) looks at those bytes.
void ModelCopy(bool gmSrc, bool gmDst, uint64_t bytes, const uint8_t* gmDstAddr, uint64_t gmDstSpan, const char* what,
               const void* ret = nullptr, const uint8_t* gmSrcAddr = nullptr, uint64_t gmSrcSpan = 0,
               uint32_t srcRows = 0, uint64_t srcRowBytes = 0, uint64_t srcStride = 0);
// A GM write of `runs` runs of `runBytes`, `step` bytes apart, recorded run by run for the GM race
// checks (Note [Overlapping GM writes]): cores writing interleaved columns of the same rows do not overlap.
void RecordGmRuns(const uint8_t* addr, uint32_t runs, uint64_t runBytes, uint64_t step, const void* ret);
void ModelVector(const char* name, uint64_t repeats);
void ModelScalar(bool gm);  // a GetValue/SetValue: scalar unit time (GM accesses go through the data cache)
bool Simulating();  // is this core running under the npu_simulator model
// A finding of the model at the kernel line that called the API function calling this.
void ReportFinding(const char* kind, const char* message);
inline void ReportFinding(const char* kind, const std::string& message) { ReportFinding(kind, message.c_str()); }
// Note [Unwritten reads]: npu_simulator tracks which 32-byte blocks of each on-chip memory (UB,
// L1, L0A, L0B, L0C) this core has written, by which pipe; reading a block nothing wrote is a
// finding (on the NPU it holds a previous kernel's data), and so is reading it on another pipe
// with no synchronisation since the write (Note [Cross-pipe order]).
// `ret`: the kernel-code address to report; null means the caller of ModelAccess itself.
// `pipe`: the accessing pipe (sim::Pipe: 0 S, 1 V, 2 M, 3 MTE1, 4 MTE2, 5 MTE3, 6 FIX).
void ModelAccess(const void* addr, uint64_t bytes, bool write, const char* what, const void* ret = nullptr,
                 int pipe = 1);
inline uint64_t Repeats(int64_t count, uint32_t elemBytes) { return (uint64_t(count) * elemBytes + 255) / 256; }
void CopyRuns(uint8_t* dst, const uint8_t* src, uint32_t blocks, uint32_t runBytes,
              uint64_t dstStep, uint64_t srcStep);
// CopyRuns for a copy into GM from on-chip memory (Note [Streaming GM writes] in vec.cpp).
void CopyRunsToGm(uint8_t* dst, const uint8_t* src, uint32_t blocks, uint32_t runBytes,
                  uint64_t dstStep, uint64_t srcStep);
void Fill(DType t, void* dst, const void* scalar, int64_t count);

// --- vector instructions -----------------------------------------------------------------------
enum class VOp : uint8_t {
    // binary
    ADD, SUB, MUL, DIV, MAX, MIN, AND, OR,
    // scalar (src op scalar)
    ADDS, MULS, MAXS, MINS, LEAKY_RELU, SHIFT_LEFT, SHIFT_RIGHT,
    // unary
    EXP, LN, ABS, RECIPROCAL, SQRT, RSQRT, RELU, NOT,
    COUNT
};
const char* VOpName(VOp op);
// Note [Float saturation]: 910A and 310P support only the saturation mode for floating-point
// overflow (Huawei's aclrtFloatOverflowMode documentation): a result that would be inf becomes the
// largest finite value and NaN becomes 0. 910B defaults to IEEE inf/NaN. Applied to each vector
// instruction's fp16/fp32 result on the SoCs that saturate.
void SaturateFloats(DType t, void* data, int64_t count);
uint32_t DTypeSize(DType t);
const char* DTypeName(DType t);  // numpy's spelling: float16, bfloat16, float32, int32, ...

void VecBinary(VOp op, DType t, void* dst, const void* a, const void* b, int64_t count);
void VecScalar(VOp op, DType t, void* dst, const void* a, const void* scalar, int64_t count);
void VecUnary(VOp op, DType t, void* dst, const void* a, int64_t count);

// The mask/repeat form: `mask` holds 128 lane bits (lane i of a 256-byte repeat is bit i%64 of
// word i/64); block and repeat strides are in 32-byte blocks. Lanes whose bit is clear keep dst.
struct RepeatShape {
    uint8_t repeat;
    uint64_t mask[2];
    uint16_t dstBlk, src0Blk, src1Blk;
    uint16_t dstRep, src0Rep, src1Rep;
};
void VecRepeat(VOp op, DType t, void* dst, const void* a, const void* b, const void* scalar,
               const RepeatShape& s);

void VecCast(DType dstT, DType srcT, AscendC::RoundMode mode, void* dst, const void* src,
             int64_t count);
void VecCastRepeat(DType dstT, DType srcT, AscendC::RoundMode mode, void* dst, const void* src,
                   const RepeatShape& s);

// Compare writes one bit per element (LSB first) into dst bytes. Like the NPU, only whole 256-byte
// repeats are compared (floor(count*size/256) of them); dst bytes past them are left untouched.
void VecCompare(DType t, AscendC::CMPMODE mode, uint8_t* dst, const void* a, const void* b,
                bool bIsScalar, int64_t count);
// Select takes a where the mask bit is 1, else b (a scalar in VSEL_TENSOR_SCALAR_MODE). In
// VSEL_CMPMASK_SPR every 256-byte repeat reuses the first 256/size bits of `mask`; the other modes
// consume consecutive bits.
void VecSelect(DType t, AscendC::SELMODE mode, void* dst, const uint8_t* mask, const void* a,
               const void* b, int64_t count);

// Duplicate: dst[i] = scalar (count form) or the masked lanes of each repeat (dstBlk/dstRep strides).
void VecDuplicate(DType t, void* dst, const void* scalar, int64_t count);
void VecDuplicateRepeat(DType t, void* dst, const void* scalar, const RepeatShape& s);
// Axpy: dst = src * scalar + dst; the scalar has the src type.
void VecAxpy(DType dstT, DType srcT, void* dst, const void* src, const void* scalar, int64_t count);

enum class Reduce : uint8_t { SUM, MAX, MIN };
// Count form (ReduceSum/Max/Min): a pairwise tree inside each 256-byte repeat, the repeat results
// combined in order. Writes dst[0]; for MAX/MIN with withIndex, the index's bits go to dst[1].
void VecReduce(Reduce r, DType t, void* dst, const void* src, int64_t count, bool withIndex);
// Level-0 form: `repeat` repeats of the masked lanes (srcRep stride), combined by a second tree.
void VecReduceRepeats(Reduce r, DType t, void* dst, const void* src, const RepeatShape& s, int32_t repeat,
                      bool withIndex);
// Per-repeat reductions over groups of `groupLanes` lanes (all lanes: WholeReduce*, one 32-byte
// block: BlockReduceSum, 2: PairReduceSum); masked lanes take no part. The results of repeat r
// start at dst + r*dstRepBytes, one `layout` record per group. Groups with no lane left keep dst.
enum class ReduceLayout : uint8_t { VALUE_INDEX = 0, INDEX_VALUE, ONLY_VALUE, ONLY_INDEX };
uint32_t ReduceRecordBytes(Reduce r, DType t, ReduceLayout layout);
void VecReduceGroups(Reduce r, DType t, void* dst, const void* src, const RepeatShape& s, uint32_t groupLanes,
                     ReduceLayout layout, uint64_t dstRepBytes);


}  // namespace rt
}  // namespace opkit
