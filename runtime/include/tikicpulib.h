// opkit's tikicpulib.h: CANN's CPU-debug launch API (GmAlloc, ICPU_RUN_KF, ...) on the software
// AI Core. A kernel-launch program compiled with `python -m opkit config --cflags --libs` runs
// unchanged; a kernel that breaks a hardware rule stops the program with `opkit: error: ...`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "kernel_operator.h"
// CANN's CPU-debug headers declare securec's functions: the official MatMul kernel-launch mains call
// memcpy_s with only tikicpulib.h and acl/acl.h included.
#include "securec.h"

namespace opkit {
namespace rt {
void SetNextTilingKey(uint64_t key);
void SetNextKernelMode(KernelMode mode);
void RegisterGmAlloc(const void* p, uint64_t bytes);
void ForgetGmAlloc(const void* p);
// Runs the launch and, if the kernel failed, prints the error and exits the program with status 1.
void CpuDebugRun(const char* kernelName, uint32_t blockDim, const std::function<void()>& body);
}  // namespace rt
}  // namespace opkit

namespace AscendC {
void* GmAlloc(size_t size);  // 32-byte aligned global memory
void GmFree(void* ptr);
inline void SetKernelMode(KernelMode mode) { opkit::rt::SetNextKernelMode(mode); }
}  // namespace AscendC

#define ICPU_SET_TILING_KEY(key) ::opkit::rt::SetNextTilingKey(static_cast<uint64_t>(key))
#define ICPU_RUN_KF(func, blockdim, ...) \
    ::opkit::rt::CpuDebugRun(#func, (blockdim), [&]() { func(__VA_ARGS__); })
