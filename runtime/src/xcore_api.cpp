// opkit: the kernel-facing side of MIX launches and cross-core synchronisation: core identity,
// RunOnCube/ServeCube, CrossCoreSetFlag/WaitFlag, SyncAll and the kernel type a kernel declares.
//
// Note [Kernel task type]: on the NPU, KERNEL_TASK_TYPE_DEFAULT(type) in the kernel decides which
// cores run it (AIV only, AIC only, or AI Cores of 1 AIC + 1 or 2 AIVs). Here the macro runs when
// the kernel body starts, after the launch chose its cores: if the declared type needs other cores
// (on a split SoC), the core throws Relaunch, the launch stops and runs again with the declared
// type, and remembers it for the kernel's later launches in this process. The declaration is the
// kernel's first statement in CANN's samples, so nothing ran twice; code before it would.
//
// Note [Kernel type from the instructions]: a kernel of an op project that declares no type gets
// the one its instructions imply: CANN's op project "identifies the operator type from the
// instructions it uses", and cannot tell the AIC:AIV ratio, so a kernel using both kinds of core
// is launched 1:2 (asc-devkit guide 设置合适的核数和算子Kernel类型.md). opkit sees the instructions
// as they run: an op-project launch (LaunchConfig::inferType) starts AIV-only, as a vector kernel
// runs; the first work that needs the cube relaunches it, as a declaration would: a Matmul object
// (a client on the AIVs served by the AIC, so both kinds: MIX 1:2; with ASCENDC_CUBE_ONLY it runs on
// the cube alone: AIC only), or a basic cube instruction (AIC only). A declared type always wins.
// Not modelled: a kernel whose basic cube instructions follow vector ones without a Matmul object
// (the compiler would say MIX; here it runs AIC-only and its vector work fails on the AIC).
#include <map>
#include <mutex>

#include "kernel_operator.h"
#include "xcore.h"

namespace opkit {
namespace rt {

namespace {
xcore::LaunchSync& SyncOf(CoreState& c) {
    if (c.sync == nullptr) Fail("cross-core synchronisation outside a launch");
    return *c.sync;
}

KernelMode ModeOfType(int type) {
    switch (type) {
        case KERNEL_TYPE_AIV_ONLY: case KERNEL_TYPE_MIX_AIV_1_0: return KernelMode::AIV_MODE;
        case KERNEL_TYPE_AIC_ONLY: case KERNEL_TYPE_MIX_AIC_1_0: return KernelMode::AIC_MODE;
        case KERNEL_TYPE_MIX_AIC_1_1: return KernelMode::MIX_AIC_1_1;
        case KERNEL_TYPE_MIX_AIC_1_2: return KernelMode::MIX_MODE;
        default: Fail("KERNEL_TASK_TYPE_DEFAULT: " + std::to_string(type) + " is not a KernelMetaType");
    }
}

std::mutex gModeMu;
std::map<std::string, KernelMode> gModes;  // kernel name -> declared mode (Note [Kernel task type])
}  // namespace

namespace xcore {
KernelMode RememberedMode(const std::string& kernel, KernelMode fallback) {
    std::lock_guard<std::mutex> lock(gModeMu);
    auto it = gModes.find(kernel);
    return it == gModes.end() ? fallback : it->second;
}
void RememberMode(const std::string& kernel, KernelMode mode) {
    std::lock_guard<std::mutex> lock(gModeMu);
    gModes[kernel] = mode;
}
}  // namespace xcore

bool IsCubeCore() { return Core().kind == CoreKind::AIC; }
bool IsVectorCore() { return Core().kind == CoreKind::AIV; }
int32_t CoreType() {
    const CoreKind k = Core().kind;
    return k == CoreKind::AIC ? 1 : (k == CoreKind::AIV ? 2 : 0);  // AscendC::AIC, AIV, MIX
}
bool CubeIsRemote() {
    const CoreState& c = Core();
    return c.inMix && c.kind == CoreKind::AIV;
}
bool VectorMuted() { return VectorMutedOn(CurrentCoreOrNull()); }
int32_t SubBlockIdx() { return Core().subBlockIdx; }
int32_t TaskRation() { return Core().taskRation; }

void RunOnCube(const std::function<void()>& fn) {
    CoreState& c = Core();
    if (c.sync == nullptr) {
        fn();
        return;
    }
    c.sync->RunOnCube(c, fn);
}
void ServeCube() {
    CoreState& c = Core();
    SyncOf(c).ServeCube(c);
}

bool ClaimCubeL1(const void* client) {
    CoreState& c = Core();
    const bool other = c.l1Client != nullptr && c.l1Client != client;
    c.l1Client = client;
    return other;
}

void OnCrossCoreSetFlag(int mode, int pipe, uint16_t flagId) {
    CoreState& c = Core();
    SyncOf(c).SetFlag(c, mode, pipe, flagId);
}
void OnCrossCoreWaitFlag(int mode, uint16_t flagId) {
    CoreState& c = Core();
    SyncOf(c).WaitFlag(c, mode, flagId);
}
void OnSyncAll(bool aivOnly) {
    CoreState& c = Core();
    SyncOf(c).HardSyncAll(c, aivOnly);
}
void OnSoftSyncAll(void* gm, uint64_t gmBytes, void* ub, uint64_t ubBytes, int32_t usedCores, bool aivOnly) {
    CoreState& c = Core();
    SyncOf(c).SoftSyncAll(c, static_cast<int32_t*>(gm), gmBytes, static_cast<int32_t*>(ub), ubBytes, usedCores, aivOnly);
}

void OnIBSync(void* gm, uint64_t gmBytes, void* ub, uint64_t ubBytes, int32_t blockIdx, int32_t eventID, bool aivOnly,
              bool set) {
    CoreState& c = Core();
    SyncOf(c).IBSync(c, static_cast<int32_t*>(gm), gmBytes, static_cast<int32_t*>(ub), ubBytes, blockIdx, eventID, aivOnly,
                     set);
}

void DeclareTaskType(int type) {
    CoreState& c = Core();
    const KernelMode want = ModeOfType(type);
    c.typeDeclared = true;
    if (c.sync == nullptr) return;
    const xcore::Shape have = c.sync->shape();
    const xcore::Shape need = xcore::ShapeOf(want, *c.soc, have.blockDim);
    if (need.ratio == have.ratio && (need.ratio > 0 || need.kind == have.kind)) return;
    throw xcore::Relaunch{want};
}

void InferTaskType(int type) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || !c->inferType || c->typeDeclared || c->sync == nullptr) return;
    if (!c->soc->splitArch || c->inMix || c->kind != CoreKind::AIV) return;  // only an AIV-only start is revised
    const KernelMode want = ModeOfType(type);
    if (want != KernelMode::AIV_MODE) throw xcore::Relaunch{want};
}

}  // namespace rt
}  // namespace opkit
