// opkit: ge::Shape, the shape type of CANN's graph API (graph/tensor.h) that the host-side size
// queries of the high-level APIs take (Get<Api>MaxMinTmpSize(const ge::Shape& srcShape, ...)).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "opkit/rt/api.h"

namespace ge {

class Shape {
public:
    Shape() = default;
    explicit Shape(const std::vector<int64_t>& dims) : dims_(dims) {}
    size_t GetDimNum() const { return dims_.size(); }
    int64_t GetDim(size_t i) const { return i < dims_.size() ? dims_[i] : 0; }
    std::vector<int64_t> GetDims() const { return dims_; }
    // The element count; 0 for a shape with no dimensions (as CANN's ge::Shape reports).
    int64_t GetShapeSize() const {
        if (dims_.empty()) return 0;
        int64_t n = 1;
        for (int64_t d : dims_) n *= d;
        return n;
    }
    void SetDim(size_t i, int64_t d) {
        if (i < dims_.size()) dims_[i] = d;
    }

private:
    std::vector<int64_t> dims_;
};

}  // namespace ge

namespace opkit {
namespace host {
// The element count of a size query's shape: an error (naming the query) unless it is positive.
inline uint32_t QueryElems(const char* query, const ge::Shape& shape) {
    const int64_t n = shape.GetShapeSize();
    if (n <= 0 || n > int64_t(UINT32_MAX))
        opkit::rt::Fail(std::string(query) + ": srcShape has " + std::to_string(n) +
                        " elements; the shape must hold at least one element (and fewer than 2^32)");
    return uint32_t(n);
}
inline void QueryTypeSize(const char* query, uint32_t typeSize) {
    if (typeSize != 2 && typeSize != 4)
        opkit::rt::Fail(std::string(query) + ": typeSize " + std::to_string(typeSize) +
                        " is not a supported element size (2 for half, 4 for float)");
}
}  // namespace host
}  // namespace opkit
