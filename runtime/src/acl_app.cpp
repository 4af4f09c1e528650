// opkit: the acl application API around the runtime (acl_base.h / acl_rt.h): tensor descriptions,
// data buffers, the run mode, element sizes and stream synchronisation with a timeout. Return
// values and codes follow CANN's interface; every refusal sets aclGetRecentErrMsg.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "acl_state.h"
#include "aclnn/acl_meta.h"

struct aclTensorDesc {
    aclDataType dtype;
    std::vector<int64_t> dims;
    aclFormat format;
};
struct aclDataBuffer {
    void* data;
    size_t size;
};

using opkit::acl::SetError;

namespace {

bool UnknownRank(const aclTensorDesc& d) { return d.dims.size() == 1 && d.dims[0] == -2; }

// Elements of a static shape; -1 when a dim is dynamic (negative).
int64_t StaticElements(const aclTensorDesc& d) {
    int64_t n = 1;
    for (int64_t v : d.dims) {
        if (v < 0) return -1;
        n *= v;
    }
    return n;
}

const aclTensorDesc* Checked(const aclTensorDesc* desc, const char* where) {
    if (desc == nullptr) SetError(ACL_ERROR_INVALID_PARAM, std::string(where) + ": desc is null");
    return desc;
}

}  // namespace

extern "C" {

aclError aclrtGetRunMode(aclrtRunMode* runMode) {
    if (runMode == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtGetRunMode: runMode is null");
    *runMode = ACL_HOST;
    return ACL_SUCCESS;
}

aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout) {
    if (timeout < -1)
        return SetError(ACL_ERROR_INVALID_PARAM, "aclrtSynchronizeStreamWithTimeout: timeout " + std::to_string(timeout) +
                                                     " ms is invalid (-1 waits forever, otherwise give milliseconds >= 0)");
    return aclrtSynchronizeStream(stream);  // the stream's work has run already: nothing to wait for
}

size_t aclDataTypeSize(aclDataType dataType) {
    switch (dataType) {
        case ACL_INT8: case ACL_UINT8: case ACL_BOOL: return 1;
        case ACL_FLOAT16: case ACL_BF16: case ACL_INT16: case ACL_UINT16: return 2;
        case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
        case ACL_INT64: case ACL_UINT64: case ACL_DOUBLE: case ACL_COMPLEX64: return 8;
        case ACL_COMPLEX128: return 16;
        default: return 0;  // ACL_STRING has no fixed size; ACL_DT_UNDEFINED and unknown codes none
    }
}

aclTensorDesc* aclCreateTensorDesc(aclDataType dataType, int numDims, const int64_t* dims, aclFormat format) {
    if (numDims < 0 || (numDims > 0 && dims == nullptr)) {
        SetError(ACL_ERROR_INVALID_PARAM, "aclCreateTensorDesc: numDims " + std::to_string(numDims) +
                                              (numDims < 0 ? " is negative" : " with null dims"));
        return nullptr;
    }
    return new aclTensorDesc{dataType, std::vector<int64_t>(dims, dims + numDims), format};
}
void aclDestroyTensorDesc(const aclTensorDesc* desc) { delete desc; }

aclDataType aclGetTensorDescType(const aclTensorDesc* desc) {
    return Checked(desc, "aclGetTensorDescType") ? desc->dtype : ACL_DT_UNDEFINED;
}
aclFormat aclGetTensorDescFormat(const aclTensorDesc* desc) {
    return Checked(desc, "aclGetTensorDescFormat") ? desc->format : ACL_FORMAT_UNDEFINED;
}
size_t aclGetTensorDescElementCount(const aclTensorDesc* desc) {
    if (!Checked(desc, "aclGetTensorDescElementCount")) return 0;
    int64_t n = StaticElements(*desc);
    return n < 0 ? 0 : size_t(n);
}
size_t aclGetTensorDescSize(const aclTensorDesc* desc) {
    if (!Checked(desc, "aclGetTensorDescSize")) return 0;
    int64_t n = StaticElements(*desc);
    return n < 0 ? 0 : size_t(n) * aclDataTypeSize(desc->dtype);
}
size_t aclGetTensorDescNumDims(const aclTensorDesc* desc) {
    if (!Checked(desc, "aclGetTensorDescNumDims")) return 0;
    return UnknownRank(*desc) ? size_t(ACL_UNKNOWN_RANK) : desc->dims.size();
}
aclError aclGetTensorDescDimV2(const aclTensorDesc* desc, size_t index, int64_t* dimSize) {
    if (desc == nullptr || dimSize == nullptr)
        return SetError(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescDimV2: desc and dimSize must not be null");
    if (index >= desc->dims.size())
        return SetError(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescDimV2: index " + std::to_string(index) +
                                                     " is out of range for a desc of " + std::to_string(desc->dims.size()) +
                                                     " dims");
    *dimSize = desc->dims[index];
    return ACL_SUCCESS;
}
int64_t aclGetTensorDescDim(const aclTensorDesc* desc, size_t index) {
    int64_t v = -1;
    return aclGetTensorDescDimV2(desc, index, &v) == ACL_SUCCESS ? v : -1;
}

aclDataBuffer* aclCreateDataBuffer(void* data, size_t size) { return new aclDataBuffer{data, size}; }
aclError aclDestroyDataBuffer(const aclDataBuffer* dataBuffer) {
    if (dataBuffer == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclDestroyDataBuffer: dataBuffer is null");
    delete dataBuffer;
    return ACL_SUCCESS;
}
aclError aclUpdateDataBuffer(aclDataBuffer* dataBuffer, void* data, size_t size) {
    if (dataBuffer == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclUpdateDataBuffer: dataBuffer is null");
    dataBuffer->data = data;
    dataBuffer->size = size;
    return ACL_SUCCESS;
}
void* aclGetDataBufferAddr(const aclDataBuffer* dataBuffer) {
    if (dataBuffer == nullptr) {
        SetError(ACL_ERROR_INVALID_PARAM, "aclGetDataBufferAddr: dataBuffer is null");
        return nullptr;
    }
    return dataBuffer->data;
}
size_t aclGetDataBufferSizeV2(const aclDataBuffer* dataBuffer) {
    if (dataBuffer == nullptr) {
        SetError(ACL_ERROR_INVALID_PARAM, "aclGetDataBufferSizeV2: dataBuffer is null");
        return 0;
    }
    return dataBuffer->size;
}
uint32_t aclGetDataBufferSize(const aclDataBuffer* dataBuffer) {
    size_t n = aclGetDataBufferSizeV2(dataBuffer);
    return n > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max() : uint32_t(n);
}

}  // extern "C"
