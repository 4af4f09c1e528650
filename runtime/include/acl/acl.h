// opkit's acl/acl.h: the slice of CANN's acl runtime that operator callers use, on the CPU.
//
// "Device" memory is host memory and a stream runs its work when it is submitted, so
// aclrtSynchronizeStream only reports the outcome. Signatures, enum values and error codes follow
// CANN's interface so programs written for the NPU compile unchanged.
#pragma once

#include <cstddef>
#include <cstdint>

#include "opkit/kernel/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int aclError;
typedef uint16_t aclFloat16;
typedef void* aclrtStream;
typedef void* aclrtContext;
typedef void* aclrtEvent;

static const int ACL_SUCCESS = 0;
static const int ACL_ERROR_NONE = 0;
static const int ACL_ERROR_INVALID_PARAM = 100000;
static const int ACL_ERROR_UNINITIALIZE = 100001;
static const int ACL_ERROR_REPEAT_INITIALIZE = 100002;
static const int ACL_ERROR_INVALID_FILE = 100003;
static const int ACL_ERROR_BAD_ALLOC = 200000;
static const int ACL_ERROR_RT_PARAM_INVALID = 107000;
static const int ACL_ERROR_RT_INVALID_DEVICEID = 107001;
static const int ACL_ERROR_RT_MEMORY_ALLOCATION = 207001;
static const int ACL_ERROR_RT_INTERNAL_ERROR = 507000;
static const int ACL_ERROR_RT_STREAM_SYNC_TIMEOUT = 507046;

// aclGetTensorDescNumDims of a tensor whose rank is unknown (dims {-2})
#define ACL_UNKNOWN_RANK 0xFFFFFFFFFFFFFFFE

typedef enum aclrtMemMallocPolicy {
    ACL_MEM_MALLOC_HUGE_FIRST = 0, ACL_MEM_MALLOC_HUGE_ONLY, ACL_MEM_MALLOC_NORMAL_ONLY,
    ACL_MEM_MALLOC_HUGE_FIRST_P2P, ACL_MEM_MALLOC_HUGE_ONLY_P2P, ACL_MEM_MALLOC_NORMAL_ONLY_P2P,
} aclrtMemMallocPolicy;

typedef enum aclrtMemcpyKind {
    ACL_MEMCPY_HOST_TO_HOST = 0, ACL_MEMCPY_HOST_TO_DEVICE, ACL_MEMCPY_DEVICE_TO_HOST, ACL_MEMCPY_DEVICE_TO_DEVICE,
} aclrtMemcpyKind;

typedef enum aclDataType {
    ACL_DT_UNDEFINED = -1, ACL_FLOAT = 0, ACL_FLOAT16 = 1, ACL_INT8 = 2, ACL_INT32 = 3, ACL_UINT8 = 4,
    ACL_INT16 = 6, ACL_UINT16 = 7, ACL_UINT32 = 8, ACL_INT64 = 9, ACL_UINT64 = 10, ACL_DOUBLE = 11,
    ACL_BOOL = 12, ACL_STRING = 13, ACL_COMPLEX64 = 16, ACL_COMPLEX128 = 17, ACL_BF16 = 27,
} aclDataType;

typedef enum aclFormat {
    ACL_FORMAT_UNDEFINED = -1, ACL_FORMAT_NCHW = 0, ACL_FORMAT_NHWC = 1, ACL_FORMAT_ND = 2,
    ACL_FORMAT_NC1HWC0 = 3, ACL_FORMAT_FRACTAL_Z = 4, ACL_FORMAT_HWCN = 16, ACL_FORMAT_NDHWC = 27,
    ACL_FORMAT_FRACTAL_NZ = 29, ACL_FORMAT_NCDHW = 30,
} aclFormat;

typedef enum aclrtRunMode { ACL_DEVICE = 0, ACL_HOST = 1 } aclrtRunMode;

typedef struct aclTensorDesc aclTensorDesc;
typedef struct aclDataBuffer aclDataBuffer;

aclError aclInit(const char* configPath);
aclError aclFinalize(void);
aclError aclrtSetDevice(int32_t deviceId);
aclError aclrtResetDevice(int32_t deviceId);
aclError aclrtGetDevice(int32_t* deviceId);
aclError aclrtGetDeviceCount(uint32_t* count);
// The SoC this process runs on: the calling thread's device SoC, else $OPKIT_SOC, else Ascend910B1.
const char* aclrtGetSocName(void);
aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId);
aclError aclrtDestroyContext(aclrtContext context);
aclError aclrtSetCurrentContext(aclrtContext context);
aclError aclrtCreateStream(aclrtStream* stream);
aclError aclrtDestroyStream(aclrtStream stream);
aclError aclrtSynchronizeStream(aclrtStream stream);
aclError aclrtSynchronizeDevice(void);
// Note [aclrtMalloc padding]: CANN documents that aclrtMalloc rounds the size up to a multiple of
// 32 bytes and adds 32 more; kernels may touch those bytes (the SubCustom sample's tiling rounds
// 999 halves up to 1008). The block holds them here too: aclrtMemcpy/aclrtMemset and a launch's
// GM bounds (Note [GM bounds]) take the padded size.
aclError aclrtMalloc(void** devPtr, size_t size, aclrtMemMallocPolicy policy);
aclError aclrtFree(void* devPtr);
aclError aclrtMallocHost(void** hostPtr, size_t size);
aclError aclrtFreeHost(void* hostPtr);
aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count, aclrtMemcpyKind kind);
aclError aclrtMemset(void* devPtr, size_t maxCount, int32_t value, size_t count);
const char* aclGetRecentErrMsg(void);

// The application side (acl_rt.h, acl_base.h). The program runs on the host, beside the device:
// aclrtGetRunMode says ACL_HOST. Work runs when it is submitted, so a stream never times out.
aclError aclrtGetRunMode(aclrtRunMode* runMode);
aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout);  // timeout: ms, -1 waits forever
size_t aclDataTypeSize(aclDataType dataType);  // bytes of one element; 0 for ACL_STRING and unknown types

// Tensor descriptions (dims < 0 are dynamic; {-2} is an unknown rank). Getters on a null desc
// return 0 / ACL_DT_UNDEFINED / ACL_FORMAT_UNDEFINED and set aclGetRecentErrMsg.
aclTensorDesc* aclCreateTensorDesc(aclDataType dataType, int numDims, const int64_t* dims, aclFormat format);
void aclDestroyTensorDesc(const aclTensorDesc* desc);
aclDataType aclGetTensorDescType(const aclTensorDesc* desc);
aclFormat aclGetTensorDescFormat(const aclTensorDesc* desc);
size_t aclGetTensorDescSize(const aclTensorDesc* desc);          // bytes; 0 when a dim is dynamic
size_t aclGetTensorDescElementCount(const aclTensorDesc* desc);  // 0 when a dim is dynamic
size_t aclGetTensorDescNumDims(const aclTensorDesc* desc);       // ACL_UNKNOWN_RANK for an unknown rank
aclError aclGetTensorDescDimV2(const aclTensorDesc* desc, size_t index, int64_t* dimSize);
int64_t aclGetTensorDescDim(const aclTensorDesc* desc, size_t index);  // deprecated by CANN; -1 on error

// Data buffers: an address and a size, not owned by the buffer.
aclDataBuffer* aclCreateDataBuffer(void* data, size_t size);
aclError aclDestroyDataBuffer(const aclDataBuffer* dataBuffer);
aclError aclUpdateDataBuffer(aclDataBuffer* dataBuffer, void* data, size_t size);
void* aclGetDataBufferAddr(const aclDataBuffer* dataBuffer);
uint32_t aclGetDataBufferSize(const aclDataBuffer* dataBuffer);  // deprecated by CANN; saturates at 4 GiB - 1
size_t aclGetDataBufferSizeV2(const aclDataBuffer* dataBuffer);

#ifdef __cplusplus
}
#endif

inline float aclFloat16ToFloat(aclFloat16 value) { return opkit::HalfBitsToFloat(value); }
inline aclFloat16 aclFloatToFloat16(float value) { return opkit::FloatToHalfBits(value); }
