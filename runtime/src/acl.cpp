// opkit: the acl runtime subset (device, context, stream, memory) and aclnn's tensor handles.
//
// There is one simulated device (id 0). Its "device memory" is host memory from aclrtMalloc
// (acl_memory.cpp), tracked so aclrtFree and aclrtMemcpy can refuse pointers the runtime never handed out.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "acl_state.h"
#include "opkit/rt/api.h"
#include "aclnn/acl_meta.h"

namespace opkit {
namespace acl {
namespace {
std::mutex gMu;
bool gInit = false;
int32_t gDevice = -1;
std::set<void*> gStreams;
thread_local std::string tLastError;
bool gQuiet = false;
}  // namespace

// C++ callers usually print only the code, so the message goes to stderr as well; Python reads
// it through aclGetRecentErrMsg and raises it instead (SetQuiet).
aclError SetError(aclError code, const std::string& msg) {
    tLastError = msg;
    if (!gQuiet) std::fprintf(stderr, "opkit: acl error %d: %s\n", code, msg.c_str());
    return code;
}
void SetQuiet(bool quiet) { gQuiet = quiet; }
bool Quiet() { return gQuiet; }
const char* LastError() { return tLastError.c_str(); }

}  // namespace acl
}  // namespace opkit

using opkit::acl::SetError;

extern "C" {

aclError aclInit(const char*) {
    std::lock_guard<std::mutex> lock(opkit::acl::gMu);
    if (opkit::acl::gInit) return SetError(ACL_ERROR_REPEAT_INITIALIZE, "aclInit: already initialised");
    opkit::acl::gInit = true;
    return ACL_SUCCESS;
}

aclError aclFinalize(void) {
    std::lock_guard<std::mutex> lock(opkit::acl::gMu);
    if (!opkit::acl::gInit) return SetError(ACL_ERROR_UNINITIALIZE, "aclFinalize: aclInit was not called");
    opkit::acl::gInit = false;
    opkit::acl::gDevice = -1;
    opkit::acl::ReleaseCachedMemory();
    return ACL_SUCCESS;
}

aclError aclrtSetDevice(int32_t deviceId) {
    if (deviceId != 0)
        return SetError(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtSetDevice: device " + std::to_string(deviceId) +
                                                           " does not exist (opkit simulates one device, id 0)");
    opkit::acl::gDevice = deviceId;
    return ACL_SUCCESS;
}
aclError aclrtResetDevice(int32_t deviceId) {
    if (deviceId != 0) return SetError(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtResetDevice: no device " + std::to_string(deviceId));
    opkit::acl::gDevice = -1;
    opkit::acl::ReleaseCachedMemory();
    return ACL_SUCCESS;
}
aclError aclrtGetDevice(int32_t* deviceId) {
    if (deviceId == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtGetDevice: null pointer");
    if (opkit::acl::gDevice < 0) return SetError(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtGetDevice: no device set");
    *deviceId = opkit::acl::gDevice;
    return ACL_SUCCESS;
}
aclError aclrtGetDeviceCount(uint32_t* count) {
    if (count == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtGetDeviceCount: null pointer");
    *count = 1;
    return ACL_SUCCESS;
}
const char* aclrtGetSocName(void) { return opkit::rt::DefaultSoc().name; }
aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId) {
    if (context == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtCreateContext: null pointer");
    aclError e = aclrtSetDevice(deviceId);
    if (e != ACL_SUCCESS) return e;
    *context = new int(deviceId);
    return ACL_SUCCESS;
}
aclError aclrtDestroyContext(aclrtContext context) {
    delete static_cast<int*>(context);
    return ACL_SUCCESS;
}
aclError aclrtSetCurrentContext(aclrtContext context) {
    return context == nullptr ? SetError(ACL_ERROR_INVALID_PARAM, "aclrtSetCurrentContext: null context") : ACL_SUCCESS;
}

aclError aclrtCreateStream(aclrtStream* stream) {
    if (stream == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtCreateStream: null pointer");
    auto* s = new opkit::acl::Stream();
    std::lock_guard<std::mutex> lock(opkit::acl::gMu);
    opkit::acl::gStreams.insert(s);
    *stream = s;
    return ACL_SUCCESS;
}
aclError aclrtDestroyStream(aclrtStream stream) {
    std::lock_guard<std::mutex> lock(opkit::acl::gMu);
    if (opkit::acl::gStreams.erase(stream) == 0)
        return SetError(ACL_ERROR_RT_PARAM_INVALID, "aclrtDestroyStream: not a stream from aclrtCreateStream");
    delete static_cast<opkit::acl::Stream*>(stream);
    return ACL_SUCCESS;
}
// Work runs when submitted; synchronising reports (and clears) the first failure on the stream.
aclError aclrtSynchronizeStream(aclrtStream stream) {
    if (stream == nullptr) return ACL_SUCCESS;  // the default stream
    auto* s = static_cast<opkit::acl::Stream*>(stream);
    if (s->failed.empty()) return ACL_SUCCESS;
    std::string msg = s->failed;
    s->failed.clear();
    return SetError(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtSynchronizeStream: a task failed: " + msg);
}
aclError aclrtSynchronizeDevice(void) { return ACL_SUCCESS; }

aclError aclrtMallocHost(void** hostPtr, size_t size) {
    if (hostPtr == nullptr || size == 0) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMallocHost: null pointer or size 0");
    *hostPtr = std::aligned_alloc(64, (size + 63) & ~size_t(63));
    return *hostPtr ? ACL_SUCCESS : SetError(ACL_ERROR_BAD_ALLOC, "aclrtMallocHost: out of memory");
}
aclError aclrtFreeHost(void* hostPtr) {
    std::free(hostPtr);
    return ACL_SUCCESS;
}
}  // extern "C"

using opkit::acl::DeviceRoom;

extern "C" {

aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count, aclrtMemcpyKind kind) {
    if (dst == nullptr || src == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: null pointer");
    // The device side of a copy must lie inside one aclrtMalloc block: the NPU would fault, and
    // here the bytes after a block belong to other host objects.
    const bool toDevice = kind == ACL_MEMCPY_HOST_TO_DEVICE || kind == ACL_MEMCPY_DEVICE_TO_DEVICE;
    const bool fromDevice = kind == ACL_MEMCPY_DEVICE_TO_HOST || kind == ACL_MEMCPY_DEVICE_TO_DEVICE;
    if (toDevice) {
        int64_t room = DeviceRoom(dst);
        if (room < 0) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: dst is not device memory from aclrtMalloc (check the copy kind)");
        if (int64_t(count) > room)
            return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: " + std::to_string(count) + " bytes do not fit in the " +
                                                         std::to_string(room) + " bytes left in the dst device block");
    }
    if (fromDevice) {
        int64_t room = DeviceRoom(src);
        if (room < 0) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: src is not device memory from aclrtMalloc (check the copy kind)");
        if (int64_t(count) > room)
            return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: " + std::to_string(count) + " bytes run past the " +
                                                         std::to_string(room) + " bytes left in the src device block");
    }
    if (count > destMax)
        return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: count " + std::to_string(count) + " exceeds destMax " +
                                                     std::to_string(destMax));
    if (kind < ACL_MEMCPY_HOST_TO_HOST || kind > ACL_MEMCPY_DEVICE_TO_DEVICE)
        return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: unknown copy kind");
    std::memmove(dst, src, count);
    return ACL_SUCCESS;
}
aclError aclrtMemset(void* devPtr, size_t maxCount, int32_t value, size_t count) {
    if (devPtr == nullptr || count > maxCount) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMemset: null pointer or count > maxCount");
    if (int64_t room = DeviceRoom(devPtr); room < int64_t(count))
        return SetError(ACL_ERROR_INVALID_PARAM, room < 0 ? std::string("aclrtMemset: not device memory from aclrtMalloc")
                                                          : "aclrtMemset: " + std::to_string(count) + " bytes run past its device block");
    std::memset(devPtr, value, count);
    return ACL_SUCCESS;
}
const char* aclGetRecentErrMsg(void) { return opkit::acl::LastError(); }

// ---- aclnn handles -------------------------------------------------------------------------------
aclTensor* aclCreateTensor(const int64_t* viewDims, uint64_t viewDimsNum, aclDataType dataType, const int64_t* stride,
                           int64_t offset, aclFormat format, const int64_t* storageDims, uint64_t storageDimsNum,
                           void* tensorData) {
    if ((viewDims == nullptr && viewDimsNum > 0) || viewDimsNum > 25) {
        SetError(ACLNN_ERR_PARAM_INVALID, "aclCreateTensor: bad view dims");
        return nullptr;
    }
    auto* t = new aclTensor();
    t->shape.assign(viewDims, viewDims + viewDimsNum);
    if (stride != nullptr) t->strides.assign(stride, stride + viewDimsNum);
    if (storageDims != nullptr) t->storageShape.assign(storageDims, storageDims + storageDimsNum);
    t->offset = offset;
    t->dtype = dataType;
    t->format = format;
    t->data = tensorData;
    return t;
}
aclnnStatus aclDestroyTensor(const aclTensor* tensor) {
    delete tensor;
    return ACLNN_SUCCESS;
}
aclTensorList* aclCreateTensorList(const aclTensor* const* value, uint64_t size) {
    auto* l = new aclTensorList();
    l->tensors.assign(value, value + size);
    return l;
}
aclnnStatus aclDestroyTensorList(const aclTensorList* array) {
    if (array != nullptr)
        for (auto* t : array->tensors) delete t;  // CANN's list owns its tensors
    delete array;
    return ACLNN_SUCCESS;
}
aclIntArray* aclCreateIntArray(const int64_t* value, uint64_t size) { return new aclIntArray{std::vector<int64_t>(value, value + size)}; }
aclnnStatus aclDestroyIntArray(const aclIntArray* array) { delete array; return ACLNN_SUCCESS; }
aclFloatArray* aclCreateFloatArray(const float* value, uint64_t size) { return new aclFloatArray{std::vector<float>(value, value + size)}; }
aclnnStatus aclDestroyFloatArray(const aclFloatArray* array) { delete array; return ACLNN_SUCCESS; }
aclBoolArray* aclCreateBoolArray(const bool* value, uint64_t size) { return new aclBoolArray{std::vector<bool>(value, value + size)}; }
aclnnStatus aclDestroyBoolArray(const aclBoolArray* array) { delete array; return ACLNN_SUCCESS; }

}  // extern "C"
