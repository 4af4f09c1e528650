// opkit: the TPipe's event IDs (Note [Event IDs] in opkit/kernel/tensor.h) and GetTPipePtr.
#include <string>

#include "core_state.h"
#include "kernel_operator.h"

namespace AscendC {
// in the order of HardEvent (opkit/kernel/types.h)
const char* const kEventNames[] = {
    "MTE2_MTE1", "MTE1_MTE2", "MTE1_M", "M_MTE1", "MTE2_V", "V_MTE2", "MTE3_V", "V_MTE3", "M_V", "V_M", "V_V",
    "MTE3_MTE1", "MTE1_MTE3", "MTE1_V", "MTE2_M", "M_MTE2", "V_MTE1", "M_FIX", "FIX_M", "MTE3_MTE2", "MTE2_MTE3",
    "S_V", "V_S", "S_MTE2", "MTE2_S", "S_MTE3", "MTE3_S", "MTE2_FIX", "FIX_MTE2", "FIX_S", "M_S", "FIX_MTE3",
    "MTE1_FIX", "FIX_MTE1", "FIX_FIX"};
static_assert(sizeof(kEventNames) / sizeof(kEventNames[0]) == static_cast<size_t>(HardEvent::MAX), "one name per HardEvent");

namespace {
constexpr int EVENT_IDS = 8;  // event_t EVENT_ID0..EVENT_ID7 per HardEvent kind

std::string EventName(HardEvent evt) {
    const int k = static_cast<int>(evt);
    return k < static_cast<int>(HardEvent::MAX) ? std::string("HardEvent::") + kEventNames[k] : "HardEvent " + std::to_string(k);
}

void CheckKind(HardEvent evt, const char* what) {
    if (static_cast<int>(evt) >= static_cast<int>(HardEvent::MAX))
        opkit::rt::Fail(std::string(what) + ": " + EventName(evt) + " is not an event kind (HardEvent::MAX is a bound)");
}
}  // namespace

int8_t TPipe::FreeEvent(HardEvent evt, const char* what) const {
    CheckKind(evt, what);
    const uint8_t taken = eventsTaken_[static_cast<int>(evt)];
    for (int i = 0; i < EVENT_IDS; ++i)
        if ((taken >> i & 1) == 0) return static_cast<int8_t>(i);
    opkit::rt::Fail(std::string(what) + ": all " + std::to_string(EVENT_IDS) + " event IDs of " + EventName(evt) +
                    " are allocated; give one back with ReleaseEventID before taking another");
}

int8_t TPipe::AllocEvent(HardEvent evt) {
    const int8_t id = FreeEvent(evt, "TPipe::AllocEventID");
    eventsTaken_[static_cast<int>(evt)] |= uint8_t(1u << id);
    return id;
}

void TPipe::ReleaseEvent(HardEvent evt, int8_t id) {
    CheckKind(evt, "TPipe::ReleaseEventID");
    uint8_t& taken = eventsTaken_[static_cast<int>(evt)];
    if (id < 0 || id >= EVENT_IDS || (taken >> id & 1) == 0)
        opkit::rt::Fail("TPipe::ReleaseEventID: event ID " + std::to_string(id) + " of " + EventName(evt) +
                        " was not allocated by AllocEventID (released twice?)");
    taken &= uint8_t(~(1u << id));
}

TPipe* GetTPipePtr() {
    const void* pipe = opkit::rt::Core().pipe;
    if (pipe == nullptr) opkit::rt::Fail("GetTPipePtr: no TPipe is alive on this core; construct one in the kernel first");
    return const_cast<TPipe*>(static_cast<const TPipe*>(pipe));
}

}  // namespace AscendC

namespace opkit {
namespace rt {
AscendC::HardEvent EventOfPipes(pipe_t src, pipe_t dst, const char* what) {
    auto shortName = [](pipe_t p) -> const char* {
        switch (p) {
            case PIPE_S: return "S";
            case PIPE_V: return "V";
            case PIPE_M: return "M";
            case PIPE_MTE1: return "MTE1";
            case PIPE_MTE2: return "MTE2";
            case PIPE_MTE3: return "MTE3";
            case PIPE_FIX: return "FIX";
            default: return nullptr;
        }
    };
    const char* a = shortName(src);
    const char* b = shortName(dst);
    if (a != nullptr && b != nullptr) {
        const std::string name = std::string(a) + "_" + b;
        for (int k = 0; k < static_cast<int>(AscendC::HardEvent::MAX); ++k)
            if (name == AscendC::kEventNames[k]) return static_cast<AscendC::HardEvent>(k);
    }
    Fail(std::string(what) + ": no HardEvent couples pipe " + std::to_string(int(src)) + " to pipe " +
         std::to_string(int(dst)) + " (pipe_t values; PIPE_ALL takes pipe_barrier, not a flag)");
}
}  // namespace rt
}  // namespace opkit
