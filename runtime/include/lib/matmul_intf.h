// opkit's lib/matmul_intf.h: the high-level Matmul kernel API (namespace matmul, also AscendC::),
// built on opkit's basic cube API. Types and the class: lib/matrix/matmul/matmul.h.
//
// REGIST_MATMUL_OBJ(&pipe, workspace, mm[, &tiling][, mm2, &tiling2 ...]) initialises up to four
// Matmul objects. Note [Matmul on a MIX launch]: on 910B a real Matmul kernel runs MIX (one cube
// core, two vector cores per block); the cube core's REGIST_MATMUL_OBJ serves the vector cores'
// requests and then returns from the kernel. The macro's first branch is that cube side: it runs
// when matmul::detail::IsMixCubeSide() says this thread is the AIC of a MIX launch (never, until
// the runtime has MIX launches; then the branch calls opkit::rt::ServeCube()).
#pragma once

#include "lib/matrix/matmul/matmul.h"

#define REGIST_MATMUL_OBJ(tpipe, workspace, ...)          \
    if (::matmul::detail::IsMixCubeSide()) {             \
        ::matmul::detail::ServeCubeSide();               \
        return;                                          \
    } else                                               \
        ::matmul::detail::Regist((tpipe), (workspace), __VA_ARGS__)
#define REGIST_MATMUL_OBJ_STATIC REGIST_MATMUL_OBJ
