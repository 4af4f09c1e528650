// aclnn_pick_last: calls PickLast (tests/project/pick_last, no InferShape) through aclnn with an
// output of the caller's shape (ROWS), different from the input's (ROWS x COLS).
//
// Usage: aclnn_pick_last ROWS COLS [f16-out]   prints the ROWS outputs, one per line;
//        f16-out gives a float16 output, which the OpDef does not register.
// Tested by: pytest tests/project/test_build.py -k pick_last
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "acl/acl.h"
#include "aclnn_pick_last.h"

#define CHECK(call)                                                                \
    do {                                                                           \
        int rc_ = (call);                                                          \
        if (rc_ != 0) {                                                            \
            std::printf("FAILED %s: %d: %s\n", #call, rc_, aclGetRecentErrMsg()); \
            return 1;                                                              \
        }                                                                          \
    } while (0)

int main(int argc, char** argv) {
    const int64_t rows = std::atoll(argv[1]), cols = std::atoll(argv[2]);
    const bool f16Out = argc > 3 && std::strcmp(argv[3], "f16-out") == 0;
    CHECK(aclInit(nullptr));
    CHECK(aclrtSetDevice(0));
    aclrtStream stream;
    CHECK(aclrtCreateStream(&stream));
    std::vector<float> x(rows * cols), y(rows, -1.0f);
    for (int64_t i = 0; i < rows * cols; ++i) x[i] = 0.25f * float(i);
    void *dx, *dy;
    CHECK(aclrtMalloc(&dx, x.size() * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&dy, y.size() * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemcpy(dx, x.size() * sizeof(float), x.data(), x.size() * sizeof(float), ACL_MEMCPY_HOST_TO_DEVICE));
    std::vector<int64_t> xShape{rows, cols}, yShape{rows};
    aclTensor* tx = aclCreateTensor(xShape.data(), 2, ACL_FLOAT, nullptr, 0, ACL_FORMAT_ND, xShape.data(), 2, dx);
    aclTensor* ty = aclCreateTensor(yShape.data(), 1, f16Out ? ACL_FLOAT16 : ACL_FLOAT, nullptr, 0, ACL_FORMAT_ND,
                                    yShape.data(), 1, dy);
    uint64_t workspaceSize = 0;
    aclOpExecutor* executor = nullptr;
    CHECK(aclnnPickLastGetWorkspaceSize(tx, ty, &workspaceSize, &executor));
    CHECK(aclnnPickLast(nullptr, workspaceSize, executor, stream));
    CHECK(aclrtSynchronizeStream(stream));
    CHECK(aclrtMemcpy(y.data(), y.size() * sizeof(float), dy, y.size() * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST));
    for (float v : y) std::printf("%.9g\n", v);
    aclDestroyTensor(tx);
    aclDestroyTensor(ty);
    CHECK(aclrtFree(dx));
    CHECK(aclrtFree(dy));
    CHECK(aclrtDestroyStream(stream));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}
