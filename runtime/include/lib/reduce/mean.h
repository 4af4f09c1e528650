// opkit's lib/reduce/mean.h: Mean is implemented with Sum, in lib/reduce/sum.h.
#pragma once

#include "lib/reduce/sum.h"
