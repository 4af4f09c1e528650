// opkit: what generated aclnn_<op>.cpp files call. Phase 1 (GetWorkspaceSize) runs the op's
// tiling through opkit::host::Prepare and returns an executor; phase 2 launches its kernel.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "aclnn/acl_meta.h"
#include "opkit/host/host_api.h"

namespace opkit {
namespace aclnn {

struct AttrIn {
    const char* name;
    gert::AttrValue value;
};
AttrIn Attr(const char* name, int64_t v);
AttrIn Attr(const char* name, double v);
AttrIn Attr(const char* name, bool v);
AttrIn Attr(const char* name, const char* v);
AttrIn Attr(const char* name, const aclIntArray* v);
AttrIn Attr(const char* name, const aclFloatArray* v);
AttrIn Attr(const char* name, const aclBoolArray* v);

// `anchor`: any function of the library that holds the generated aclnn code; kernels are found
// next to it (op_api/lib/ -> op_impl/kernel/).
aclnnStatus GetWorkspaceSize(const char* opType, std::initializer_list<const aclTensor*> inputs,
                             std::initializer_list<const aclTensor*> outputs, std::initializer_list<AttrIn> attrs,
                             uint64_t* workspaceSize, aclOpExecutor** executor, const void* anchor);
// For ops whose aclnn shape opkit cannot run yet: reports why (never pretends to run).
aclnnStatus Unsupported(const char* opType, const char* why, uint64_t* workspaceSize, aclOpExecutor** executor);
aclnnStatus Run(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream);

}  // namespace aclnn
}  // namespace opkit
