// opkit: a C interface to the npu_simulator results of the last launch on the calling thread, for
// code that drives kernels through aclnn without Python (opkit.mindspore's shim library runs inside
// MindSpore's kernel threads and turns findings into a MindSpore error).
//
// Note [Last launch on a thread]: the model keeps one summary per thread (sim::SetLast). A launch
// that does not reach the AI Core (an aclnn call with an empty input returns before launching)
// leaves the previous summary in place, so a caller that wants "the launch I just made" first calls
// opkitSimForgetLast (sim::ClearLast). No std::string crosses this interface.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

#include "sim.h"

extern "C" {

// 1 when launches run under the npu_simulator model ($OPKIT_MODE=npu_simulator or opkit's switch).
__attribute__((visibility("default"))) int opkitSimEnabled(void) { return opkit::sim::Enabled() ? 1 : 0; }

// Forget this thread's last simulated launch (Note [Last launch on a thread]).
__attribute__((visibility("default"))) void opkitSimForgetLast(void) { opkit::sim::ClearLast(); }

// The findings of this thread's last simulated launch: returns their number (0: none, -1: no simulated
// launch since opkitSimForgetLast) and, when there are any and `buf` is not null, writes
// "npu_simulator: <kernel>: <n> finding(s) on <soc>:" and one "  [kind] core N at site: message" line
// per finding into `buf` (NUL-terminated, cut to `size` bytes).
__attribute__((visibility("default"))) int opkitSimLastFindings(char* buf, size_t size) {
    const opkit::sim::Summary* s = opkit::sim::Last();
    if (s == nullptr) return -1;
    const int n = static_cast<int>(s->findings.size());
    if (n == 0 || buf == nullptr || size == 0) return n;
    std::string text = "npu_simulator: " + s->kernel + ": " + std::to_string(n) + " finding(s) on " + s->soc + ":";
    for (const auto& f : s->findings)
        text += "\n  [" + f.kind + "] core " + std::to_string(f.core) + (f.site.empty() ? "" : " at " + f.site) + ": " +
                f.message;
    const size_t len = text.size() < size - 1 ? text.size() : size - 1;
    std::memcpy(buf, text.data(), len);
    buf[len] = '\0';
    return n;
}

}  // extern "C"
