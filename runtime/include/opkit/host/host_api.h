// opkit: the slice of CANN's host API that op_host code uses (ge types, gert contexts, platform),
// implemented for the CPU. Names, signatures and enum values follow CANN's headers' interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <string>
#include <vector>

#include "opkit/rt/api.h"

namespace ge {

using graphStatus = uint32_t;
constexpr graphStatus GRAPH_SUCCESS = 0;
constexpr graphStatus GRAPH_FAILED = 0xFFFFFFFF;
constexpr graphStatus GRAPH_PARAM_INVALID = 50331649;

// Values as in CANN (they match aclDataType).
enum DataType {
    DT_FLOAT = 0, DT_FLOAT16 = 1, DT_INT8 = 2, DT_INT32 = 3, DT_UINT8 = 4, DT_INT16 = 6, DT_UINT16 = 7,
    DT_UINT32 = 8, DT_INT64 = 9, DT_UINT64 = 10, DT_DOUBLE = 11, DT_BOOL = 12, DT_STRING = 13,
    DT_BF16 = 27, DT_UNDEFINED = 28, DT_MAX = 40,
};

enum Format {
    FORMAT_NCHW = 0, FORMAT_NHWC = 1, FORMAT_ND = 2, FORMAT_NC1HWC0 = 3, FORMAT_FRACTAL_Z = 4,
    FORMAT_HWCN = 16, FORMAT_NDHWC = 27, FORMAT_FRACTAL_NZ = 29, FORMAT_NCDHW = 30, FORMAT_CHWN = 31,
    FORMAT_RESERVED = 40,
};

}  // namespace ge

namespace fe {
// Opaque platform handle: opkit's points at the SoC table entry of the launch.
class PlatFormInfos {
public:
    explicit PlatFormInfos(const opkit::rt::SocInfo* soc) : soc_(soc) {}
    const opkit::rt::SocInfo* Soc() const { return soc_; }

private:
    const opkit::rt::SocInfo* soc_;
};
}  // namespace fe

namespace gert {

class Shape {
public:
    static constexpr size_t kMaxDimNum = 25;
    Shape() = default;
    Shape(std::initializer_list<int64_t> dims) {
        for (int64_t d : dims) AppendDim(d);
    }
    size_t GetDimNum() const { return dimNum_; }
    int64_t GetDim(size_t i) const { return i < dimNum_ ? dims_[i] : 0; }
    Shape& SetDimNum(size_t n) {
        dimNum_ = n < kMaxDimNum ? n : kMaxDimNum;
        return *this;
    }
    Shape& SetDim(size_t i, int64_t d) {
        if (i < kMaxDimNum) dims_[i] = d;
        return *this;
    }
    Shape& AppendDim(int64_t d) {
        if (dimNum_ < kMaxDimNum) dims_[dimNum_++] = d;
        return *this;
    }
    bool IsScalar() const { return dimNum_ == 0; }
    int64_t GetShapeSize() const {
        int64_t n = 1;
        for (size_t i = 0; i < dimNum_; ++i) n *= dims_[i];
        return n;
    }
    const int64_t& operator[](size_t i) const { return dims_[i]; }
    int64_t& operator[](size_t i) { return dims_[i]; }
    bool operator==(const Shape& o) const {
        if (dimNum_ != o.dimNum_) return false;
        for (size_t i = 0; i < dimNum_; ++i)
            if (dims_[i] != o.dims_[i]) return false;
        return true;
    }
    bool operator!=(const Shape& o) const { return !(*this == o); }

private:
    size_t dimNum_ = 0;
    int64_t dims_[kMaxDimNum] = {};
};

class StorageShape {
public:
    StorageShape() = default;
    explicit StorageShape(const Shape& s) : origin_(s), storage_(s) {}
    const Shape& GetOriginShape() const { return origin_; }
    const Shape& GetStorageShape() const { return storage_; }
    Shape& MutableOriginShape() { return origin_; }
    Shape& MutableStorageShape() { return storage_; }

private:
    Shape origin_, storage_;
};

class StorageFormat {
public:
    StorageFormat() = default;
    explicit StorageFormat(ge::Format f) : origin_(f), storage_(f) {}
    ge::Format GetOriginFormat() const { return origin_; }
    ge::Format GetStorageFormat() const { return storage_; }

private:
    ge::Format origin_ = ge::FORMAT_ND, storage_ = ge::FORMAT_ND;
};

class CompileTimeTensorDesc {
public:
    CompileTimeTensorDesc() = default;
    CompileTimeTensorDesc(ge::DataType dt, ge::Format f) : dtype_(dt), format_(f) {}
    ge::DataType GetDataType() const { return dtype_; }
    ge::Format GetOriginFormat() const { return format_.GetOriginFormat(); }
    ge::Format GetStorageFormat() const { return format_.GetStorageFormat(); }
    const StorageFormat& GetFormat() const { return format_; }

private:
    ge::DataType dtype_ = ge::DT_UNDEFINED;
    StorageFormat format_;
};

class Tensor {
public:
    Tensor() = default;
    Tensor(const StorageShape& shape, ge::DataType dt, ge::Format f, void* data)
        : shape_(shape), dtype_(dt), format_(f), data_(data) {}
    ge::DataType GetDataType() const { return dtype_; }
    int64_t GetShapeSize() const { return shape_.GetStorageShape().GetShapeSize(); }
    const Shape& GetStorageShape() const { return shape_.GetStorageShape(); }
    const Shape& GetOriginShape() const { return shape_.GetOriginShape(); }
    const StorageShape& GetShape() const { return shape_; }
    ge::Format GetStorageFormat() const { return format_.GetStorageFormat(); }
    ge::Format GetOriginFormat() const { return format_.GetOriginFormat(); }
    template <typename T>
    const T* GetData() const { return static_cast<const T*>(data_); }
    const void* GetAddr() const { return data_; }

private:
    StorageShape shape_;
    ge::DataType dtype_ = ge::DT_UNDEFINED;
    StorageFormat format_;
    void* data_ = nullptr;
};

template <typename T>
class TypedContinuousVector {
    // std::vector<bool> has no contiguous storage: keep bools as bytes.
    using Stored = typename std::conditional<std::is_same<T, bool>::value, uint8_t, T>::type;

public:
    TypedContinuousVector() = default;
    explicit TypedContinuousVector(const std::vector<T>& v) : v_(v.begin(), v.end()) {}
    size_t GetSize() const { return v_.size(); }
    const T* GetData() const { return reinterpret_cast<const T*>(v_.data()); }

private:
    std::vector<Stored> v_;
};

// One attribute value as the runtime holds it (kind follows the OpDef's AttrType).
struct AttrValue {
    enum Kind { NONE, BOOL, INT, FLOAT, STRING, LIST_INT, LIST_FLOAT, LIST_BOOL } kind = NONE;
    bool b = false;
    int64_t i = 0;
    float f = 0;
    std::string s;
    TypedContinuousVector<int64_t> listInt;
    TypedContinuousVector<float> listFloat;
    TypedContinuousVector<bool> listBool;
};

class RuntimeAttrs {
public:
    RuntimeAttrs() = default;
    explicit RuntimeAttrs(std::vector<AttrValue> v) : v_(std::move(v)) {}
    size_t GetAttrNum() const { return v_.size(); }
    const bool* GetBool(size_t i) const { return Is(i, AttrValue::BOOL) ? &v_[i].b : nullptr; }
    const int64_t* GetInt(size_t i) const { return Is(i, AttrValue::INT) ? &v_[i].i : nullptr; }
    const float* GetFloat(size_t i) const { return Is(i, AttrValue::FLOAT) ? &v_[i].f : nullptr; }
    const char* GetStr(size_t i) const { return Is(i, AttrValue::STRING) ? v_[i].s.c_str() : nullptr; }
    const TypedContinuousVector<int64_t>* GetListInt(size_t i) const {
        return Is(i, AttrValue::LIST_INT) ? &v_[i].listInt : nullptr;
    }
    const TypedContinuousVector<float>* GetListFloat(size_t i) const {
        return Is(i, AttrValue::LIST_FLOAT) ? &v_[i].listFloat : nullptr;
    }
    const TypedContinuousVector<bool>* GetListBool(size_t i) const {
        return Is(i, AttrValue::LIST_BOOL) ? &v_[i].listBool : nullptr;
    }
    // CANN hands out the attr's stored value reinterpreted as T: an Int attr is an int64_t, a Float
    // attr a float, a Bool a bool, a String its characters, a list its TypedContinuousVector. So
    // GetAttrPointer<uint32_t> on an Int attr reads its low 32 bits (little-endian hosts), as the
    // official MoeSoftMaxTopk op_host does. Null for an index with no value.
    template <typename T>
    const T* GetAttrPointer(size_t i) const { return static_cast<const T*>(Stored(i)); }

private:
    bool Is(size_t i, AttrValue::Kind k) const { return i < v_.size() && v_[i].kind == k; }
    const void* Stored(size_t i) const {
        if (i >= v_.size()) return nullptr;
        const AttrValue& a = v_[i];
        switch (a.kind) {
            case AttrValue::BOOL: return &a.b;
            case AttrValue::INT: return &a.i;
            case AttrValue::FLOAT: return &a.f;
            case AttrValue::STRING: return a.s.c_str();
            case AttrValue::LIST_INT: return &a.listInt;
            case AttrValue::LIST_FLOAT: return &a.listFloat;
            case AttrValue::LIST_BOOL: return &a.listBool;
            default: return nullptr;
        }
    }
    std::vector<AttrValue> v_;
};

class TilingData {
public:
    // opkit: the runtime lends the buffer, zeroed (runtime/src/host.cpp, Note [Tiling buffer]).
    TilingData(uint8_t* buffer, size_t capacity) : buf_(buffer), capacity_(capacity) {}
    void* GetData() { return buf_; }
    size_t GetCapacity() const { return capacity_; }
    size_t GetDataSize() const { return size_; }
    void SetDataSize(size_t n) { size_ = n; }

private:
    uint8_t* buf_;
    size_t capacity_;
    size_t size_ = 0;
};

// What a launch describes to the op's functions: tensors, attributes and the platform.
struct OpLaunchInfo {
    std::string opType;
    std::vector<Tensor> inputs;
    std::vector<CompileTimeTensorDesc> inputDescs;
    std::vector<StorageShape> inputShapes;
    std::vector<bool> inputPresent;  // optional inputs may be absent
    std::vector<StorageShape> outputShapes;
    std::vector<CompileTimeTensorDesc> outputDescs;
    RuntimeAttrs attrs;
    const opkit::rt::SocInfo* soc = nullptr;
};

class TilingContext {
public:
    TilingContext(const OpLaunchInfo& info, uint8_t* tilingBuffer, size_t tilingCapacity)
        : info_(info), platform_(info.soc), tiling_(tilingBuffer, tilingCapacity) {}
    const char* GetNodeName() const { return info_.opType.c_str(); }
    const char* GetNodeType() const { return info_.opType.c_str(); }
    size_t GetComputeNodeInputNum() const { return info_.inputs.size(); }
    const StorageShape* GetInputShape(size_t i) const { return At(info_.inputShapes, i); }
    const StorageShape* GetOptionalInputShape(size_t i) const { return Present(i) ? At(info_.inputShapes, i) : nullptr; }
    const StorageShape* GetOutputShape(size_t i) const { return At(info_.outputShapes, i); }
    const Tensor* GetInputTensor(size_t i) const { return At(info_.inputs, i); }
    const Tensor* GetOptionalInputTensor(size_t i) const { return Present(i) ? At(info_.inputs, i) : nullptr; }
    const CompileTimeTensorDesc* GetInputDesc(size_t i) const { return At(info_.inputDescs, i); }
    const CompileTimeTensorDesc* GetOutputDesc(size_t i) const { return At(info_.outputDescs, i); }
    const RuntimeAttrs* GetAttrs() const { return &info_.attrs; }
    fe::PlatFormInfos* GetPlatformInfo() { return &platform_; }
    ge::graphStatus SetBlockDim(uint32_t n) { blockDim_ = n; return ge::GRAPH_SUCCESS; }
    uint32_t GetBlockDim() const { return blockDim_; }
    ge::graphStatus SetTilingKey(uint64_t k) { tilingKey_ = k; return ge::GRAPH_SUCCESS; }
    uint64_t GetTilingKey() const { return tilingKey_; }
    TilingData* GetRawTilingData() { return &tiling_; }
    size_t* GetWorkspaceSizes(size_t n) {
        if (workspace_.size() < n) workspace_.resize(n, 0);
        return workspace_.data();
    }
    size_t GetWorkspaceNum() const { return workspace_.size(); }
    // The compile info TilingParse filled (OP_ADD's second argument; Note [Graph-time host functions]).
    const void* GetCompileInfo() const { return compileInfo_; }
    template <typename T>
    const T* GetCompileInfo() const { return static_cast<const T*>(compileInfo_); }
    void SetCompileInfo(const void* info) { compileInfo_ = info; }  // opkit: set by the runtime before tiling
    ge::graphStatus SetNeedAtomic(bool) { return ge::GRAPH_SUCCESS; }
    ge::graphStatus SetScheduleMode(uint32_t) { return ge::GRAPH_SUCCESS; }

private:
    template <typename T>
    static const T* At(const std::vector<T>& v, size_t i) { return i < v.size() ? &v[i] : nullptr; }
    bool Present(size_t i) const { return i < info_.inputPresent.size() && info_.inputPresent[i]; }
    const OpLaunchInfo& info_;
    fe::PlatFormInfos platform_;
    TilingData tiling_;
    uint32_t blockDim_ = 0;
    uint64_t tilingKey_ = 0;
    std::vector<size_t> workspace_;
    const void* compileInfo_ = nullptr;
};

class InferShapeContext {
public:
    explicit InferShapeContext(OpLaunchInfo& info) : info_(info) {}
    const Shape* GetInputShape(size_t i) const {
        return i < info_.inputShapes.size() ? &info_.inputShapes[i].GetStorageShape() : nullptr;
    }
    const Shape* GetOptionalInputShape(size_t i) const {
        return i < info_.inputPresent.size() && info_.inputPresent[i] ? GetInputShape(i) : nullptr;
    }
    Shape* GetOutputShape(size_t i) {
        return i < info_.outputShapes.size() ? &info_.outputShapes[i].MutableStorageShape() : nullptr;
    }
    const RuntimeAttrs* GetAttrs() const { return &info_.attrs; }
    const char* GetNodeName() const { return info_.opType.c_str(); }

private:
    OpLaunchInfo& info_;
};

class InferDataTypeContext {
public:
    explicit InferDataTypeContext(OpLaunchInfo& info) : info_(info) {}
    ge::DataType GetInputDataType(size_t i) const {
        return i < info_.inputDescs.size() ? info_.inputDescs[i].GetDataType() : ge::DT_UNDEFINED;
    }
    ge::DataType GetOutputDataType(size_t i) const {
        return i < info_.outputDescs.size() ? info_.outputDescs[i].GetDataType() : ge::DT_UNDEFINED;
    }
    ge::graphStatus SetOutputDataType(size_t i, ge::DataType dt) {
        if (i >= info_.outputDescs.size()) return ge::GRAPH_FAILED;
        info_.outputDescs[i] = CompileTimeTensorDesc(dt, info_.outputDescs[i].GetStorageFormat());
        return ge::GRAPH_SUCCESS;
    }
    const RuntimeAttrs* GetAttrs() const { return &info_.attrs; }

private:
    OpLaunchInfo& info_;
};

}  // namespace gert
