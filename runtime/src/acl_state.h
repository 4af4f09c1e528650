// opkit: the acl runtime's handle types, shared by acl.cpp and aclnn.cpp (not part of the API).
#pragma once

#include <string>
#include <vector>

#include "aclnn/acl_meta.h"

struct aclTensor {
    std::vector<int64_t> shape, strides, storageShape;
    int64_t offset = 0;
    aclDataType dtype = ACL_DT_UNDEFINED;
    aclFormat format = ACL_FORMAT_ND;
    void* data = nullptr;
};
struct aclTensorList {
    std::vector<const aclTensor*> tensors;
};
struct aclIntArray {
    std::vector<int64_t> v;
};
struct aclFloatArray {
    std::vector<float> v;
};
struct aclBoolArray {
    std::vector<bool> v;
};

namespace opkit {
namespace acl {
struct Stream {
    std::string failed;  // first failure of a task since the last synchronisation
};
aclError SetError(aclError code, const std::string& msg);
const char* LastError();
void SetQuiet(bool quiet);
}  // namespace acl
}  // namespace opkit
