// opkit's tiling/tiling_api.h: the host-side tiling library of the kernel API's high-level
// functions. CANN installs it at runtime/include/tiling/ and sample CMake files add both
// runtime/include and runtime/include/tiling to the include path (so `#include "tiling_api.h"`
// works bare); `python -m opkit config --cflags` and find_package(opkit) do the same.
#pragma once

#include "kernel_tiling/kernel_tiling.h"
#include "opkit/host/matmul_tiling.h"
#include "tiling/platform/platform_ascendc.h"
#include "lib/hl_tiling.h"
