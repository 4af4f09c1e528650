// opkit: the graph-side host API that CANN 6.3/7.0-era op_host code registers next to its tiling
// (Ascend/samples `acl_invocation/op_dev`): ge::AscendString and ge::Operator (CheckOpSupport's
// arguments), gert::Range and InferShapeRangeContext (InferShapeRange), and TilingParseContext
// (the TilingPrepare that parses an op's compile info before its first tiling).
//
// Note [Graph-time host functions]: CANN's graph engine calls CheckSupport while fusing a graph (to
// pick AI Core or AI CPU) and InferShapeRange when an output's shape is known only after the kernel
// runs; neither runs on an aclnn call, which is what opkit executes, so opkit stores them on the
// OpDef (OpAICoreDef::CheckSupport(), OpDef::InferShapeRangeFn()) for whoever drives that stage
// (tests/project/test_era_host.py calls them). TilingParse does run on every path before tiling:
// opkit calls it once per op and SoC, on a value-initialised object of the compile-info type that
// OP_ADD names, and TilingContext::GetCompileInfo<T>() hands that object to the TilingFunc
// (runtime/src/host.cpp). Its compile-info JSON is "{}" (an assumption: opkit compiles no op
// binary, so there is no compile info for the JSON to carry).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "opkit/host/ge_shape.h"
#include "opkit/host/host_api.h"

namespace ge {

class AscendString {
public:
    AscendString() = default;
    AscendString(const char* s) : s_(s == nullptr ? "" : s) {}  // NOLINT: implicit, as CANN's
    const char* GetString() const { return s_.c_str(); }
    size_t GetLength() const { return s_.size(); }
    bool operator==(const AscendString& o) const { return s_ == o.s_; }
    bool operator!=(const AscendString& o) const { return s_ != o.s_; }
    bool operator<(const AscendString& o) const { return s_ < o.s_; }

private:
    std::string s_;
};

class TensorDesc {
public:
    TensorDesc() = default;
    TensorDesc(const Shape& shape, Format format, DataType dtype) : shape_(shape), format_(format), dtype_(dtype) {}
    Shape GetShape() const { return shape_; }
    Format GetFormat() const { return format_; }
    DataType GetDataType() const { return dtype_; }
    void SetShape(const Shape& s) { shape_ = s; }
    void SetFormat(Format f) { format_ = f; }
    void SetDataType(DataType d) { dtype_ = d; }

private:
    Shape shape_;
    Format format_ = FORMAT_ND;
    DataType dtype_ = DT_UNDEFINED;
};

// The op as the graph describes it to CheckSupport: its type, name and tensor descriptions.
class Operator {
public:
    Operator() = default;
    Operator(const char* name, const char* type) : name_(name), type_(type) {}
    AscendString GetName() const { return AscendString(name_.c_str()); }
    AscendString GetOpType() const { return AscendString(type_.c_str()); }
    size_t GetInputsSize() const { return inputs_.size(); }
    size_t GetOutputsSize() const { return outputs_.size(); }
    TensorDesc GetInputDesc(uint32_t i) const { return i < inputs_.size() ? inputs_[i] : TensorDesc(); }
    TensorDesc GetOutputDesc(uint32_t i) const { return i < outputs_.size() ? outputs_[i] : TensorDesc(); }
    // opkit: how a driver describes the op (CANN builds Operators from graph nodes).
    Operator& AddInputDesc(const TensorDesc& d) { inputs_.push_back(d); return *this; }
    Operator& AddOutputDesc(const TensorDesc& d) { outputs_.push_back(d); return *this; }

private:
    std::string name_, type_;
    std::vector<TensorDesc> inputs_, outputs_;
};

}  // namespace ge

namespace gert {

// A [min, max] range of T, by pointer as CANN's: copying a Range copies where it points.
template <typename T>
class Range {
public:
    Range() = default;
    Range(T* min, T* max) : min_(min), max_(max) {}
    const T* GetMin() const { return min_; }
    const T* GetMax() const { return max_; }
    T* GetMin() { return min_; }
    T* GetMax() { return max_; }
    void SetMin(T* min) { min_ = min; }
    void SetMax(T* max) { max_ = max; }

private:
    T* min_ = nullptr;
    T* max_ = nullptr;
};

class InferShapeRangeContext {
public:
    // opkit: the inputs' [min, max] shapes; each output's range points at a min and a max shape the
    // context owns, both of rank 0 until the function sets them.
    InferShapeRangeContext(const std::vector<std::pair<Shape, Shape>>& inputs, size_t outputs,
                           const RuntimeAttrs* attrs = nullptr)
        : shapes_(2 * (inputs.size() + outputs)), attrs_(attrs) {
        for (size_t i = 0; i < inputs.size(); ++i) {
            shapes_[2 * i] = inputs[i].first;
            shapes_[2 * i + 1] = inputs[i].second;
            in_.emplace_back(&shapes_[2 * i], &shapes_[2 * i + 1]);
        }
        for (size_t o = 0, k = 2 * inputs.size(); o < outputs; ++o, k += 2) out_.emplace_back(&shapes_[k], &shapes_[k + 1]);
    }
    const Range<Shape>* GetInputShapeRange(size_t i) const { return i < in_.size() ? &in_[i] : nullptr; }
    Range<Shape>* GetOutputShapeRange(size_t i) { return i < out_.size() ? &out_[i] : nullptr; }
    const RuntimeAttrs* GetAttrs() const { return attrs_; }

private:
    std::vector<Shape> shapes_;  // sized once: the ranges point into it
    std::vector<Range<Shape>> in_, out_;
    const RuntimeAttrs* attrs_;
};

class TilingParseContext {
public:
    TilingParseContext(const char* compiledJson, void* compileInfo, fe::PlatFormInfos* platform)
        : json_(compiledJson), info_(compileInfo), platform_(platform) {}
    const char* GetCompiledJson() const { return json_; }
    template <typename T>
    T* GetCompiledInfo() { return static_cast<T*>(info_); }
    fe::PlatFormInfos* GetPlatformInfo() const { return platform_; }

private:
    const char* json_;
    void* info_;
    fe::PlatFormInfos* platform_;
};

}  // namespace gert
