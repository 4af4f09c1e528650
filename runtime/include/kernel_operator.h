// opkit's kernel_operator.h: the Ascend C kernel API, executed on the CPU by the software AI Core.
// Include it exactly as on the NPU; build with `python -m opkit config --cflags --libs`.
#pragma once

#ifndef __CCE_KT_TEST__
#define __CCE_KT_TEST__ 1
#endif
#ifndef ASCENDC_CPU_DEBUG
#define ASCENDC_CPU_DEBUG 1
#endif

// CANN's CPU-debug kernel headers include these (impl/basic_api/kernel_log.h and the tensor and pipe
// headers), and kernels and mains written against CANN rely on them without including them.
#include <cassert>  // kernels call assert() bare (the asc-devkit fixpipe_l0c2gm example does)
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "opkit/kernel/types.h"
#include "opkit/kernel/tensor.h"
#include "opkit/kernel/copy.h"
#include "opkit/kernel/cube.h"
#include "opkit/kernel/vec.h"
#include "opkit/kernel/vec_expr.h"
#include "opkit/kernel/vec_brcb.h"
#include "opkit/kernel/vec_gather.h"
#include "opkit/kernel/vec_sort.h"
#include "opkit/kernel/vec_index.h"
#include "opkit/kernel/sync.h"
#include "opkit/kernel/soc_constants.h"
#include "opkit/kernel/tik2.h"  // the CANN 6.3/7.0 names: namespace tik2, ParamOffset
#include "kernel_tiling/kernel_tiling.h"
#include "lib/kernel_api.h"
#include "opkit/kernel/not_implemented.h"  // the APIs opkit does not implement yet: a call fails to compile
