// opkit's acl/acl_op_compiler.h. CANN's header declares online op compilation (aclopCompile and
// its options), which builds an op with the TBE/Ascend C compiler on the device's host. opkit
// runs ops from projects built by `opkit build`, so these calls have nothing to do here: each is
// declared so that a call to it stops the build with a message naming it, and programs that only
// include this header (the official AclNNInvocation apps) compile unchanged.
#pragma once

#include "acl/acl.h"
#include "aclnn/acl_meta.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aclCompileType { ACL_COMPILE_SYS = 0, ACL_COMPILE_UNREGISTERED = 1 } aclopCompileType;

typedef enum {
    ACL_PRECISION_MODE = 0, ACL_AICORE_NUM, ACL_AUTO_TUNE_MODE, ACL_OP_SELECT_IMPL_MODE, ACL_OPTYPELIST_FOR_IMPLMODE,
    ACL_OP_DEBUG_LEVEL, ACL_DEBUG_DIR, ACL_OP_COMPILER_CACHE_MODE, ACL_OP_COMPILER_CACHE_DIR, ACL_OP_PERFORMANCE_MODE,
} aclCompileOpt;

typedef enum aclCompileFlag { ACL_OP_COMPILE_DEFAULT = 0, ACL_OP_COMPILE_FUZZ = 1 } aclOpCompileFlag;

#ifdef __cplusplus  // an empty parameter list takes any arguments only in C++
#define OPKIT_NO_ONLINE_COMPILE(name)                                                                          \
    __attribute__((error("opkit does not implement " name ": ops are built ahead of time with `opkit build` " \
                         "and called through their aclnn<Op> functions")))
aclError aclopCompile(...) OPKIT_NO_ONLINE_COMPILE("aclopCompile");
aclError aclopCompileAndExecute(...) OPKIT_NO_ONLINE_COMPILE("aclopCompileAndExecute");
aclError aclopCompileAndExecuteV2(...) OPKIT_NO_ONLINE_COMPILE("aclopCompileAndExecuteV2");
aclError aclSetCompileopt(...) OPKIT_NO_ONLINE_COMPILE("aclSetCompileopt");
aclError aclopSetCompileFlag(...) OPKIT_NO_ONLINE_COMPILE("aclopSetCompileFlag");
#undef OPKIT_NO_ONLINE_COMPILE
#endif

#ifdef __cplusplus
}
#endif
