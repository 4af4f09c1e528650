// opkit: runtime support of the high-level kernel APIs (runtime/include/lib/...): where the live
// TPipe's UB ends, for the temporary buffer an API takes for itself (Note [High-level temporary
// buffers] in runtime/include/opkit/kernel/hl_tmp.h).
#include "core_state.h"
#include "kernel_operator.h"

namespace opkit {
namespace rt {

uint32_t PipeUsedBytes(Mem m) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->pipe == nullptr) return 0;
    return static_cast<const AscendC::TPipe*>(c->pipe)->Used(m);
}

}  // namespace rt
}  // namespace opkit
