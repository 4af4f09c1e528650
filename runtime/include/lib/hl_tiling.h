// opkit: the host-side queries of the high-level kernel APIs, included by tiling/tiling_api.h as
// CANN's tiling_api.h includes each API's *_tiling.h.
#pragma once

#include "lib/activation/gelu_tiling.h"
#include "lib/activation/logsoftmax_tiling.h"
#include "lib/activation/sigmoid_tiling.h"
#include "lib/activation/silu_tiling.h"
#include "lib/activation/softmax_tiling.h"
#include "lib/activation/swish_tiling.h"
#include "lib/math/cos_tiling.h"
#include "lib/math/cumsum_tiling.h"
#include "lib/math/erf_tiling.h"
#include "lib/math/exp_tiling.h"
#include "lib/math/log_tiling.h"
#include "lib/math/power_tiling.h"
#include "lib/math/sin_tiling.h"
#include "lib/math/tanh_tiling.h"
#include "lib/normalization/layernorm_tiling.h"
#include "lib/normalization/rmsnorm_tiling.h"
#include "lib/reduce/mean_tiling.h"
#include "lib/reduce/sum_tiling.h"
#include "lib/sort/topk_tiling.h"
#include "lib/not_implemented_tiling.h"  // the queries opkit does not implement yet
