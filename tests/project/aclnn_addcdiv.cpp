// aclnn_addcdiv: a C++ caller of a built op project through aclnn, written the way CANN's
// AclNNInvocation programs are (acl init, device buffers, the two aclnn phases, copy back).
//
// Usage: aclnn_addcdiv N VALUE [bad-out]   prints the N outputs, one per line
// Tested by: pytest tests/project/test_build.py
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "acl/acl.h"
#include "aclnn_addcdiv_custom.h"

#define CHECK(call)                                                                    \
    do {                                                                               \
        int rc_ = (call);                                                              \
        if (rc_ != 0) {                                                                \
            std::printf("FAILED %s: %d: %s\n", #call, rc_, aclGetRecentErrMsg());     \
            return 1;                                                                  \
        }                                                                              \
    } while (0)

static aclTensor* DeviceTensor(const std::vector<float>& host, std::vector<int64_t> shape, void** dev) {
    size_t bytes = host.size() * sizeof(float);
    if (aclrtMalloc(dev, bytes, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS) return nullptr;
    aclrtMemcpy(*dev, bytes, host.data(), bytes, ACL_MEMCPY_HOST_TO_DEVICE);
    return aclCreateTensor(shape.data(), shape.size(), ACL_FLOAT, nullptr, 0, ACL_FORMAT_ND, shape.data(), shape.size(), *dev);
}

int main(int argc, char** argv) {
    int64_t n = std::atoll(argv[1]);
    double value = std::atof(argv[2]);
    bool badOut = argc > 3 && std::strcmp(argv[3], "bad-out") == 0;
    CHECK(aclInit(nullptr));
    CHECK(aclrtSetDevice(0));
    aclrtStream stream;
    CHECK(aclrtCreateStream(&stream));
    std::vector<float> x(n), y(n), z(n), out(n, 0.0f);
    for (int64_t i = 0; i < n; ++i) {
        x[i] = 0.5f * float(i % 17);
        y[i] = float(i % 5) - 2.0f;
        z[i] = 1.0f + float(i % 3);
    }
    void *dx, *dy, *dz, *dout;
    aclTensor* tx = DeviceTensor(x, {n}, &dx);
    aclTensor* ty = DeviceTensor(y, {n}, &dy);
    aclTensor* tz = DeviceTensor(z, {n}, &dz);
    aclTensor* tout = DeviceTensor(out, {badOut ? n + 1 : n}, &dout);
    uint64_t workspaceSize = 0;
    aclOpExecutor* executor = nullptr;
    CHECK(aclnnAddcdivCustomGetWorkspaceSize(tx, ty, tz, value, tout, &workspaceSize, &executor));
    void* workspace = nullptr;
    if (workspaceSize > 0) CHECK(aclrtMalloc(&workspace, workspaceSize, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclnnAddcdivCustom(workspace, workspaceSize, executor, stream));
    CHECK(aclrtSynchronizeStream(stream));
    CHECK(aclrtMemcpy(out.data(), n * sizeof(float), dout, n * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST));
    for (float v : out) std::printf("%.9g\n", v);
    for (aclTensor* t : {tx, ty, tz, tout}) aclDestroyTensor(t);
    for (void* p : {dx, dy, dz, dout}) CHECK(aclrtFree(p));
    if (workspace) CHECK(aclrtFree(workspace));
    CHECK(aclrtDestroyStream(stream));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}
