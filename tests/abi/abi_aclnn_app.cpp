// abi_aclnn_app: an acl application in the style of CANN's AclNNInvocation programs (tensor
// descriptions, data buffers, the run mode, a stream synchronised with a timeout) calling opkit's
// built-in AddCustom through aclnn; built by the test with -D_GLIBCXX_USE_CXX11_ABI=0 and =1.
//
//   run:      z = x + y on 999 halves (the size is not a multiple of 32 bytes), prints "sum ok"
//   badargs:  the acl calls' documented refusals, one line each: "<call> <code>: <recent message>"
//   padding:  aclrtMalloc(1998) holds the documented padding: 2048 bytes copy in, 2049 do not
//
// Usage: abi_aclnn_app {run|badargs|padding}
// Tested by: pytest tests/abi/test_abi.py
#include <cstdio>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "acl/acl_op_compiler.h"
#include "aclnn_add_custom.h"

#define CHECK(call)                                                                \
    do {                                                                           \
        int rc_ = (call);                                                          \
        if (rc_ != 0) {                                                            \
            std::printf("FAILED %s: %d: %s\n", #call, rc_, aclGetRecentErrMsg()); \
            return 1;                                                              \
        }                                                                          \
    } while (0)

static void Report(const char* call, long long code) { std::printf("%s %lld: %s\n", call, code, aclGetRecentErrMsg()); }

static int Run() {
    aclrtRunMode mode;
    CHECK(aclrtGetRunMode(&mode));
    if (mode != ACL_HOST) return std::printf("run mode %d\n", int(mode)), 1;
    aclrtStream stream;
    CHECK(aclrtCreateStream(&stream));
    const int64_t dims[1] = {999};
    aclTensorDesc* desc = aclCreateTensorDesc(ACL_FLOAT16, 1, dims, ACL_FORMAT_ND);
    const size_t bytes = aclGetTensorDescSize(desc);
    if (bytes != 999 * aclDataTypeSize(ACL_FLOAT16) || aclGetTensorDescElementCount(desc) != 999 ||
        aclGetTensorDescNumDims(desc) != 1 || aclGetTensorDescType(desc) != ACL_FLOAT16 ||
        aclGetTensorDescFormat(desc) != ACL_FORMAT_ND)
        return std::printf("bad desc\n"), 1;
    std::vector<aclDataBuffer*> buffers;
    std::vector<aclTensor*> tensors;
    std::vector<aclFloat16> x(999), y(999), z(999);
    for (int i = 0; i < 999; ++i) {
        x[i] = aclFloatToFloat16(float(i % 64));
        y[i] = aclFloatToFloat16(0.5f);
    }
    for (const std::vector<aclFloat16>* host : {&x, &y, &z}) {
        void* dev = nullptr;
        CHECK(aclrtMalloc(&dev, bytes, ACL_MEM_MALLOC_NORMAL_ONLY));
        CHECK(aclrtMemcpy(dev, bytes, host->data(), bytes, ACL_MEMCPY_HOST_TO_DEVICE));
        buffers.push_back(aclCreateDataBuffer(dev, bytes));
        int64_t dim = 0;
        CHECK(aclGetTensorDescDimV2(desc, 0, &dim));
        tensors.push_back(aclCreateTensor(&dim, 1, aclGetTensorDescType(desc), nullptr, 0, aclGetTensorDescFormat(desc),
                                          &dim, 1, aclGetDataBufferAddr(buffers.back())));
    }
    uint64_t workspaceSize = 0;
    aclOpExecutor* executor = nullptr;
    CHECK(aclnnAddCustomGetWorkspaceSize(tensors[0], tensors[1], tensors[2], &workspaceSize, &executor));
    void* workspace = nullptr;
    if (workspaceSize > 0) CHECK(aclrtMalloc(&workspace, workspaceSize, ACL_MEM_MALLOC_NORMAL_ONLY));
    CHECK(aclnnAddCustom(workspace, workspaceSize, executor, stream));
    CHECK(aclrtSynchronizeStreamWithTimeout(stream, 5000));
    CHECK(aclrtMemcpy(z.data(), bytes, aclGetDataBufferAddr(buffers[2]), aclGetDataBufferSizeV2(buffers[2]),
                      ACL_MEMCPY_DEVICE_TO_HOST));
    for (int i = 0; i < 999; ++i)
        if (aclFloat16ToFloat(z[i]) != float(i % 64) + 0.5f) return std::printf("z[%d] = %g\n", i, aclFloat16ToFloat(z[i])), 1;
    for (aclTensor* t : tensors) aclDestroyTensor(t);
    for (aclDataBuffer* b : buffers) {
        CHECK(aclrtFree(aclGetDataBufferAddr(b)));
        CHECK(aclDestroyDataBuffer(b));
    }
    if (workspace != nullptr) CHECK(aclrtFree(workspace));
    aclDestroyTensorDesc(desc);
    CHECK(aclrtDestroyStream(stream));
    std::printf("sum ok\n");
    return 0;
}

static int BadArgs() {
    Report("aclrtGetRunMode(null)", aclrtGetRunMode(nullptr));
    Report("aclrtSynchronizeStreamWithTimeout(-2)", aclrtSynchronizeStreamWithTimeout(nullptr, -2));
    Report("aclCreateTensorDesc(-1 dims)", aclCreateTensorDesc(ACL_FLOAT, -1, nullptr, ACL_FORMAT_ND) == nullptr ? -1 : 0);
    const int64_t dims[2] = {2, -1};
    aclTensorDesc* d = aclCreateTensorDesc(ACL_FLOAT, 2, dims, ACL_FORMAT_NCHW);
    int64_t v = 0;
    Report("aclGetTensorDescDimV2(index 2)", aclGetTensorDescDimV2(d, 2, &v));
    std::printf("dynamic size %zu count %zu dims %zu\n", aclGetTensorDescSize(d), aclGetTensorDescElementCount(d),
                aclGetTensorDescNumDims(d));
    const int64_t unknown[1] = {-2};
    aclTensorDesc* u = aclCreateTensorDesc(ACL_FLOAT, 1, unknown, ACL_FORMAT_ND);
    std::printf("unknown rank %d\n", aclGetTensorDescNumDims(u) == ACL_UNKNOWN_RANK);
    Report("aclGetTensorDescType(null)", aclGetTensorDescType(nullptr));
    Report("aclDestroyDataBuffer(null)", aclDestroyDataBuffer(nullptr));
    std::printf("sizes %zu %zu %zu %zu\n", aclDataTypeSize(ACL_BF16), aclDataTypeSize(ACL_INT64),
                aclDataTypeSize(ACL_COMPLEX128), aclDataTypeSize(ACL_STRING));
    aclDestroyTensorDesc(d);
    aclDestroyTensorDesc(u);
    return 0;
}

static int Padding() {
    void* dev = nullptr;
    CHECK(aclrtMalloc(&dev, 1998, ACL_MEM_MALLOC_NORMAL_ONLY));
    std::vector<char> host(4096, 7);
    Report("aclrtMemcpy(2048)", aclrtMemcpy(dev, 2048, host.data(), 2048, ACL_MEMCPY_HOST_TO_DEVICE));
    Report("aclrtMemcpy(2049)", aclrtMemcpy(dev, 2049, host.data(), 2049, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(aclrtFree(dev));
    return 0;
}

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "run";
    CHECK(aclInit(nullptr));
    CHECK(aclrtSetDevice(0));
    int rc = mode == "run" ? Run() : mode == "badargs" ? BadArgs() : Padding();
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return rc;
}
