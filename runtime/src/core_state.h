// opkit: the per-core state the runtime's translation units share (not part of the kernel API).
#pragma once

#include "opkit/rt/api.h"
#include "sim.h"

#include <vector>

namespace AscendC {
namespace detail {
class QueBase;
}
}  // namespace AscendC

namespace opkit {
namespace rt {
namespace xcore {
class LaunchSync;
}

// What a simulated core is: a vector core (AIV) or cube core (AIC) of a split SoC, or a coupled
// AI Core (910A, 310P) that has both units.
enum class CoreKind : uint8_t { AIV, AIC, COUPLED };

// A buffer the live TPipe gave out (Note [UB scratch area], runtime/src/ub_scratch.cpp).
struct PipeBuffer {
    Mem mem = Mem::UB;
    uint32_t offset = 0, bytes = 0;
    const AscendC::detail::QueBase* que = nullptr;  // nullptr: a TBuf
    int index = 0;                                  // the buffer's index in its queue
    void* frames[12] = {};                          // npu_simulator: the stack of its pipe.InitBuffer
    int depth = 0;
};

struct CoreState {
    const char* kernelName = "";
    // The simulated core's index in its launch (0..cores-1): the model's core number and what
    // findings name. In a MIX launch it differs from GetBlockIdx (logicalIdx).
    int32_t blockIdx = 0;
    int32_t logicalIdx = 0;   // GetBlockIdx(): AIV of a 1:2 MIX launch: block * 2 + sub-block
    int32_t group = 0;        // the AI Core (block) this core belongs to
    int32_t subBlockIdx = 0;  // GetSubBlockIdx()
    int32_t taskRation = 1;   // GetTaskRation(): AIVs per AIC on an AIV of a MIX launch, else 1
    CoreKind kind = CoreKind::AIV;
    bool inMix = false;                 // a core of a MIX launch (AIC + AIVs per block)
    xcore::LaunchSync* sync = nullptr;  // the launch's cross-core state
    int32_t blockNum = 1;
    uint64_t tilingKey = 0;
    const SocInfo* soc = nullptr;
    uint8_t* mem[static_cast<int>(Mem::COUNT)] = {};
    uint32_t memSize[static_cast<int>(Mem::COUNT)] = {};
    uint64_t maskHi = ~0ull, maskLo = ~0ull;  // SetVectorMask state, for isSetMask=false
    uint8_t* workspace = nullptr;
    const void* pipe = nullptr;  // the live TPipe: a core has one at a time
    const std::vector<GmRegion>* gm = nullptr;  // the launch's GM buffers
    sim::CoreModel* model = nullptr;            // npu_simulator mode only
    KernelMode mode = KernelMode::AIV_MODE;     // the launch's kernel mode (SetKernelMode)
    // Note [Kernel type from the instructions] (xcore_api.cpp): the launch takes the kernel type the
    // kernel's instructions imply, unless the kernel declared one (KERNEL_TASK_TYPE_DEFAULT).
    bool inferType = false;
    bool typeDeclared = false;
    const void* l1Client = nullptr;  // the Matmul client whose tiles L1 holds (ClaimCubeL1)
    // npu_simulator, per 32-byte block of each on-chip memory (Note [Unwritten reads]): the writing
    // pipe + 1 (0: never written) and the writing instruction's sequence number.
    std::vector<uint8_t> written[static_cast<int>(Mem::COUNT)];
    std::vector<uint32_t> writeSeq[static_cast<int>(Mem::COUNT)];
    sim::LaunchModel* launch = nullptr;
    // npu_simulator: the last Mmad's L0C result, and whether a PipeBarrier<PIPE_M> came since
    // (Note [Mmad barrier] in runtime/src/cube_mmad.cpp).
    const uint8_t* lastMmadC = nullptr;
    bool mBarrierSinceMmad = true;
    // Note [UnitFlag] (runtime/src/cube_mmad.cpp): one flag per 512-byte unit of L0C (1: an Mmad with
    // unitFlag 3 finished it, a Fixpipe may read it), and the model's sequence number of that Mmad.
    std::vector<uint8_t> unitFlags;
    uint32_t unitMmadSeq = 0;
    std::vector<PipeBuffer> buffers;  // the live TPipe's UB buffers, in the order it gave them out
    // SetAtomicAdd/Max/Min: the GM write mode of FIX and MTE3 (Note [Atomic GM writes], cube.h).
    AtomicOp atomicOp = AtomicOp::NONE;
    DType atomicType = DType::F32;
    int64_t gatherMaskCount = 0;   // the last GatherMask's rsvdCnt (GetGatherMaskRemainCount)
    uint16_t mrgSortCount[4] = {};  // elements the last MrgSort took from each list (GetMrgSortResult)
    // The load3d registers (Note [LoadData 3D v2], runtime/src/cube_load3d.cpp): the feature map
    // (SetFmatrix or a LoadData that sets it), the padding value's bits, the repeat and the L1 boundary.
    struct Load3D {
        uint16_t l1H = 0, l1W = 0;
        uint8_t pad[4] = {};
        uint32_t padBits = 0;
        uint16_t repeatStride = 0;
        uint8_t repeatTime = 1, repeatMode = 0;
        uint32_t boundary = 0;
    } load3d;
};
CoreState* CurrentCoreOrNull();
// VectorMuted() for a core already looked up (Note [Vector work on a MIX launch's cube core]).
inline bool VectorMutedOn(const CoreState* c) { return c != nullptr && c->inMix && c->kind == CoreKind::AIC; }
void SetCurrentCore(CoreState* c);  // the core this thread runs now (Note [Cores on fibers], xcore.cpp)
inline sim::CoreModel* Model() {
    CoreState* c = CurrentCoreOrNull();
    return c != nullptr ? c->model : nullptr;
}
// npu_simulator: a copy between on-chip memories on `pipe` (LoadData): each 32-byte destination
// block takes the source block's state, so padding nothing wrote stays "never written" and only a
// later read of it (by an instruction that uses it) is a finding; reading a source block written
// by another pipe without synchronisation is one now (Note [Unwritten reads]).
// `mix`: the copy mixes the blocks (a transposed fractal): the destination counts as written if any
// source block was.
void ModelMove(uint8_t* dst, const uint8_t* src, uint64_t bytes, int pipe, const char* what, const void* ret,
               bool mix = false);
// The live TPipe's UB buffers (runtime/src/ub_scratch.cpp): remembered as TPipe gives them out,
// forgotten with their queue or the TPipe.
void RememberBuffer(Mem m, uint32_t offset, uint32_t bytes, const AscendC::detail::QueBase* que, int index);
void ForgetQueue(const AscendC::detail::QueBase* que);
// API code borrowing UB's scratch area writes `bytes` of data at TMP_UB_OFFSET (Note [UB scratch
// area]): the write happens as on the NPU, and npu_simulator reports a live buffer it overwrites.
void WriteUbScratch(const void* data, uint32_t bytes, const char* api, const void* ret);
// A finding of the npu_simulator mode, at the kernel line `ret` returns to.
void Finding(const std::string& kind, const std::string& message, const void* ret);

}  // namespace rt
}  // namespace opkit
