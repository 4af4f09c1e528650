// opkit's high-level kernel APIs, included by kernel_operator.h as CANN's kernel_operator.h includes
// its adv_api/kernel_api.h: kernels call Tanh, SoftMax, ... with no extra include. The matmul API is
// separate (lib/matmul_intf.h), as in CANN.
#pragma once

#include "lib/activation/gelu.h"
#include "lib/activation/logsoftmax.h"
#include "lib/activation/sigmoid.h"
#include "lib/activation/silu.h"
#include "lib/activation/simplesoftmax.h"
#include "lib/activation/softmax.h"
#include "lib/activation/swish.h"
#include "lib/math/cos.h"
#include "lib/math/cumsum.h"
#include "lib/math/erf.h"
#include "lib/math/exp.h"
#include "lib/math/log.h"
#include "lib/math/power.h"
#include "lib/math/sin.h"
#include "lib/math/tanh.h"
#include "lib/normalization/layernorm.h"
#include "lib/normalization/rmsnorm.h"
#include "lib/reduce/mean.h"
#include "lib/reduce/sum.h"
#include "lib/sort/topk.h"
