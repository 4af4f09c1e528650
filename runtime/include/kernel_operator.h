// opkit's kernel_operator.h: the Ascend C kernel API, executed on the CPU by the software AI Core.
// Include it exactly as on the NPU; build with `python -m opkit config --cflags --libs`.
#pragma once

#ifndef __CCE_KT_TEST__
#define __CCE_KT_TEST__ 1
#endif
#ifndef ASCENDC_CPU_DEBUG
#define ASCENDC_CPU_DEBUG 1
#endif

#include "opkit/kernel/types.h"
#include "opkit/kernel/tensor.h"
#include "opkit/kernel/copy.h"
#include "opkit/kernel/cube.h"
#include "opkit/kernel/vec.h"
#include "opkit/kernel/vec_expr.h"
#include "opkit/kernel/vec_brcb.h"
#include "opkit/kernel/sync.h"
#include "opkit/kernel/soc_constants.h"
#include "kernel_tiling/kernel_tiling.h"
#include "lib/kernel_api.h"
