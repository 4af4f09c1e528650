// opkit: the per-SoC memory-size constants of the Ascend C kernel API (TOTAL_VEC_LOCAL_SIZE, ...).
//
// Note [SoC constants read at run time]: CANN defines these as `const` integers chosen by the
// compiler's __NPU_ARCH__ (asc-devkit impl/basic_api/utils/kernel_utils_constants.h), so each NPU
// binary carries its own SoC's values. opkit compiles a kernel once and picks the SoC when it
// launches (OPKIT_SOC, aclrtSetDevice's SoC, the simulator's --soc), so here each name is an object
// that converts to the running core's value. Kernel code uses them as CANN's do, as a size
// argument or in arithmetic (`pipe.InitBuffer(buf, TOTAL_VEC_LOCAL_SIZE)`,
// `TOTAL_UB_SIZE / sizeof(T)`); what cannot work is a use that needs a compile-time constant
// (an array bound, a template argument), which on the NPU is SoC-specific code anyway.
// Values, per arch (same file): 2201 (910B): UB 192 KiB, vector-local 184 KiB, L1 512 KiB less the
// 128-byte KFC reserve, L0C 128 KiB; 1001 (910A) and 2002 (310P): UB 256 KiB, vector-local 248 KiB,
// L1 1 MiB, L0C 256 KiB. The vector-local size and TMP_UB_OFFSET are UB less the top scratch area
// (SocInfo::ubScratchBytes, Note [UB scratch area] in runtime/src/ub_scratch.cpp).
#pragma once

#include <cstdint>

#include "opkit/rt/api.h"

namespace AscendC {
namespace opkit_soc {

// Which size a constant names; Value() reads it from the SoC of the core running this thread.
enum class Size : uint8_t { UbTotal, VecLocal, TmpUbOffset, L1Total, L0cTotal };

inline uint32_t Value(Size s) {
    const opkit::rt::SocInfo& soc = opkit::rt::CoreSoc();  // throws outside a kernel launch
    const uint32_t ub = soc.memBytes[static_cast<int>(opkit::rt::Mem::UB)];
    const uint32_t kfcL1Reserve = soc.arch == 2201 ? 128u : 0u;  // KFC_L1_RESERVER_SIZE on 2201
    switch (s) {
        case Size::UbTotal: return ub;
        case Size::VecLocal:
        case Size::TmpUbOffset: return ub - soc.ubScratchBytes;
        case Size::L1Total: return soc.memBytes[static_cast<int>(opkit::rt::Mem::L1)] - kfcL1Reserve;
        case Size::L0cTotal: return soc.memBytes[static_cast<int>(opkit::rt::Mem::L0C)];
    }
    return 0;
}

// Converts to the running SoC's value, as the integer type CANN declares the name with.
template <typename Int, Size S>
struct SocSize {
    operator Int() const { return static_cast<Int>(Value(S)); }  // NOLINT: implicit, as CANN's const int
};

}  // namespace opkit_soc

inline constexpr opkit_soc::SocSize<int32_t, opkit_soc::Size::VecLocal> TOTAL_VEC_LOCAL_SIZE{};
inline constexpr opkit_soc::SocSize<uint32_t, opkit_soc::Size::UbTotal> TOTAL_UB_SIZE{};
inline constexpr opkit_soc::SocSize<uint32_t, opkit_soc::Size::TmpUbOffset> TMP_UB_OFFSET{};
inline constexpr opkit_soc::SocSize<uint32_t, opkit_soc::Size::L1Total> TOTAL_L1_SIZE{};
inline constexpr opkit_soc::SocSize<uint32_t, opkit_soc::Size::L0cTotal> TOTAL_L0C_SIZE{};

}  // namespace AscendC
