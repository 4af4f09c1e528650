// opkit's lib/reduce/mean_tiling.h: GetMeanMaxMinTmpSize lives with Sum's query in lib/reduce/sum_tiling.h.
#pragma once

#include "lib/reduce/sum_tiling.h"
