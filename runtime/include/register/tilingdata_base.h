// opkit's register/tilingdata_base.h: the tiling-data macros of CANN's host API.
//
// One definition serves host and kernel (see Note [Tiling blob] in opkit/kernel/sync.h): a packed
// class whose fields are public members (the kernel reads `tiling.totalLength`) with the generated
// set_/get_ accessors, SaveToBuffer and GetDataSize the host tiling function uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iostream>  // as CANN's register/ headers do (see op_def_registry.h)
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace opkit {
// Size of a tiling blob: the packed struct rounded up to whole 32-bit words (CANN copies words).
constexpr size_t TilingBlobSize(size_t structBytes) { return (structBytes + 3) & ~size_t(3); }
}  // namespace opkit

#define BEGIN_TILING_DATA_DEF(class_name) \
    class __attribute__((packed)) class_name { \
    public:

#define TILING_DATA_FIELD_DEF(data_type, field_name)                            \
    data_type field_name = data_type();                                         \
    void set_##field_name(data_type opkitValue_) { field_name = opkitValue_; }              \
    data_type get_##field_name() const { return field_name; }

#define TILING_DATA_FIELD_DEF_ARR(data_type, arr_size, field_name)              \
    data_type field_name[arr_size] = {};                                        \
    void set_##field_name(const data_type* opkitValue_) {                             \
        std::memcpy(field_name, opkitValue_, sizeof(data_type) * (arr_size));         \
    }                                                                           \
    const data_type* get_##field_name() const { return field_name; }

#define TILING_DATA_FIELD_DEF_STRUCT(struct_type, field_name) struct_type field_name;

#define END_TILING_DATA_DEF                                                     \
    size_t GetDataSize() const { return ::opkit::TilingBlobSize(sizeof(*this)); } \
    void SaveToBuffer(void* buffer, size_t capacity) const {                    \
        std::memset(buffer, 0, GetDataSize() <= capacity ? GetDataSize() : capacity); \
        std::memcpy(buffer, this, sizeof(*this) <= capacity ? sizeof(*this) : capacity); \
    }                                                                           \
    }

// Kernels name the struct through the op (the build passes -DOPKIT_TILING_TYPE=...).
#define REGISTER_TILING_DATA_CLASS(op_type, class_name) using OpkitTilingOf_##op_type = class_name;
