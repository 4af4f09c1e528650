// opkit's lib/matmul_intf.h: the high-level Matmul kernel API (namespace matmul, also AscendC::),
// built on opkit's basic cube API. Types and the class: lib/matrix/matmul/matmul.h.
//
// REGIST_MATMUL_OBJ(&pipe, workspace, mm[, &tiling][, mm2, &tiling2 ...]) initialises up to four
// Matmul objects. Note [Matmul on a MIX launch]: on 910B a real Matmul kernel runs MIX (one cube
// core, two vector cores per block). The AIVs are the Matmul clients; the AIC's REGIST_MATMUL_OBJ
// serves their requests (opkit::rt::ServeCube: it runs each request's cube instructions, Note [The
// cube funnel]) until both AIVs have finished, then returns from the kernel, as CANN's does. Its
// TPipe is where the clients' L1/L0 buffers come from (Note [Matmul clients on the AIC]).
#pragma once

#include "lib/matrix/matmul/matmul.h"

#define REGIST_MATMUL_OBJ(tpipe, workspace, ...)          \
    if (::matmul::detail::IsMixCubeSide()) {             \
        ::matmul::detail::ServeCubeSide();               \
        return;                                          \
    } else                                               \
        ::matmul::detail::Regist((tpipe), (workspace), __VA_ARGS__)
#define REGIST_MATMUL_OBJ_STATIC REGIST_MATMUL_OBJ
