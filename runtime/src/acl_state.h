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
// Note [aclrtMalloc padding]: the bytes aclrtMalloc(size) really provides.
size_t PaddedDeviceBytes(size_t size);
// Bytes of device memory from p to the end of its (padded) aclrtMalloc block; -1 if p is not device memory.
int64_t DeviceRoom(const void* p);
// Note [aclrtMalloc padding]: a launch's bound for a tensor (`bytes`, `name` as the kernel's errors
// call it) widened to `room`, the bytes its device block gives it, when that is more.
void WidenToDeviceBlock(uint64_t& bytes, std::string* name, int64_t room);
// Note [Device memory cache]: free the freed blocks kept for reuse (aclrtResetDevice, aclFinalize).
void ReleaseCachedMemory();
// Note [Output memory]: host memory for the arrays op calls return, from the same cache of blocks:
// at least `bytes`, 512-byte aligned, its real size in *capacity; null when out of memory. Not device
// memory (not in DeviceRoom's table). GiveHostBlock takes it back.
void* TakeHostBlock(size_t bytes, size_t* capacity);
void GiveHostBlock(void* p, size_t capacity);
void SetQuiet(bool quiet);
bool Quiet();  // set by the Python binding, which raises errors and findings itself
}  // namespace acl
}  // namespace opkit

// opkit's own entry points for the Python binding (acl_memory.cpp, Note [Lent host memory]).
extern "C" {
aclError opkitLendDeviceMemory(void* p, size_t size, size_t usable);
aclError opkitReturnDeviceMemory(void* p);
}
