// opkit's register/op_def_registry.h: the OpDef builder and the OP_ADD registry of CANN's host API.
#pragma once

// CANN's register/ headers pull in <iostream> (the 2023 op_dev sample's op_host writes std::cout with
// only this header included) and the containers below; op_host code relies on them.
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "opkit/host/graph_api.h"
#include "opkit/host/host_api.h"
#include "register/tilingdata_base.h"
#include "tiling/platform/platform_ascendc.h"

#if !OPKIT_SAME_CXX_ABI
#error "opkit: this op_host API passes std::string to libopkit_rt, so it needs the runtime's C++ ABI (-D_GLIBCXX_USE_CXX11_ABI=1); `opkit build` compiles op projects that way (Note [Op projects use the runtime's C++ ABI])"
#endif

namespace optiling {
// CheckSupport / OpSelectFormat callbacks (Note [Graph-time host functions]). CANN 6.3/7.0 declared
// them returning int32_t (the 2023 op_dev sample's CheckOpSupport), later CANN ge::graphStatus; both
// are accepted.
using OP_CHECK_FUNC = ge::graphStatus (*)(const ge::Operator& op, ge::AscendString& result);
using OP_CHECK_FUNC_V1 = int32_t (*)(const ge::Operator& op, ge::AscendString& result);
}  // namespace optiling

namespace ops {

enum Option { IGNORE = 0, OPTIONAL = 1, REQUIRED = 2, DYNAMIC = 3, VIRTUAL = 4 };

using TilingFunc = ge::graphStatus (*)(gert::TilingContext*);
using InferShapeFunc = ge::graphStatus (*)(gert::InferShapeContext*);
using InferDataTypeFunc = ge::graphStatus (*)(gert::InferDataTypeContext*);
using InferShapeRangeFunc = ge::graphStatus (*)(gert::InferShapeRangeContext*);
using TilingParseFunc = ge::graphStatus (*)(gert::TilingParseContext*);
// A registered CheckSupport/OpSelectFormat callback; its return value widened to int64_t.
using CheckFunc = std::function<int64_t(const ge::Operator&, ge::AscendString&)>;

class OpParamDef {
public:
    explicit OpParamDef(const char* name) : name_(name) {}
    OpParamDef& ParamType(Option o) { paramType_ = o; return *this; }
    OpParamDef& DataType(std::vector<ge::DataType> v) { dtypes_ = std::move(v); return *this; }
    OpParamDef& DataTypeList(std::vector<ge::DataType> v) { return DataType(std::move(v)); }
    OpParamDef& Format(std::vector<ge::Format> v) { formats_ = std::move(v); return *this; }
    OpParamDef& FormatList(std::vector<ge::Format> v) { return Format(std::move(v)); }
    OpParamDef& UnknownShapeFormat(std::vector<ge::Format> v) { unknownFormats_ = std::move(v); return *this; }
    OpParamDef& ValueDepend(Option o) { valueDepend_ = o; return *this; }
    OpParamDef& AutoContiguous() { return *this; }   // inputs reach opkit's kernels contiguous already
    OpParamDef& IgnoreContiguous() { return *this; }
    OpParamDef& Scalar() { return *this; }
    OpParamDef& ScalarList() { return *this; }
    OpParamDef& InitValue(uint64_t) { return *this; }

    const std::string& Name() const { return name_; }
    Option GetParamType() const { return paramType_; }
    const std::vector<ge::DataType>& DataTypes() const { return dtypes_; }
    const std::vector<ge::Format>& Formats() const { return formats_; }
    Option GetValueDepend() const { return valueDepend_; }

private:
    std::string name_;
    Option paramType_ = REQUIRED;
    Option valueDepend_ = IGNORE;
    std::vector<ge::DataType> dtypes_;
    std::vector<ge::Format> formats_, unknownFormats_;
};

class OpAttrDef {
public:
    explicit OpAttrDef(const char* name) : name_(name) {}
    OpAttrDef& AttrType(Option o) { required_ = (o == REQUIRED); return *this; }
    OpAttrDef& Bool() { return Kind(gert::AttrValue::BOOL); }
    OpAttrDef& Bool(bool v) { Kind(gert::AttrValue::BOOL); default_.b = v; hasDefault_ = true; return *this; }
    OpAttrDef& Int() { return Kind(gert::AttrValue::INT); }
    OpAttrDef& Int(int64_t v) { Kind(gert::AttrValue::INT); default_.i = v; hasDefault_ = true; return *this; }
    OpAttrDef& Float() { return Kind(gert::AttrValue::FLOAT); }
    OpAttrDef& Float(float v) { Kind(gert::AttrValue::FLOAT); default_.f = v; hasDefault_ = true; return *this; }
    OpAttrDef& String() { return Kind(gert::AttrValue::STRING); }
    OpAttrDef& String(const char* v) { Kind(gert::AttrValue::STRING); default_.s = v; hasDefault_ = true; return *this; }
    OpAttrDef& ListInt() { return Kind(gert::AttrValue::LIST_INT); }
    OpAttrDef& ListInt(std::vector<int64_t> v) {
        Kind(gert::AttrValue::LIST_INT); default_.listInt = gert::TypedContinuousVector<int64_t>(std::move(v));
        hasDefault_ = true; return *this;
    }
    OpAttrDef& ListFloat() { return Kind(gert::AttrValue::LIST_FLOAT); }
    OpAttrDef& ListFloat(std::vector<float> v) {
        Kind(gert::AttrValue::LIST_FLOAT); default_.listFloat = gert::TypedContinuousVector<float>(std::move(v));
        hasDefault_ = true; return *this;
    }
    OpAttrDef& ListBool() { return Kind(gert::AttrValue::LIST_BOOL); }
    OpAttrDef& ListBool(std::vector<bool> v) {
        Kind(gert::AttrValue::LIST_BOOL); default_.listBool = gert::TypedContinuousVector<bool>(std::move(v));
        hasDefault_ = true; return *this;
    }
    OpAttrDef& Version(uint32_t) { return *this; }

    const std::string& Name() const { return name_; }
    bool Required() const { return required_; }
    bool HasDefault() const { return hasDefault_; }
    const gert::AttrValue& Default() const { return default_; }
    gert::AttrValue::Kind GetKind() const { return default_.kind; }

private:
    OpAttrDef& Kind(gert::AttrValue::Kind k) { default_.kind = k; return *this; }
    std::string name_;
    bool required_ = true;
    bool hasDefault_ = false;
    gert::AttrValue default_;
};

class OpAICoreConfig {
public:
    OpAICoreConfig() = default;
    explicit OpAICoreConfig(const char*) {}
    OpParamDef& Input(const char* name) { inputs_.emplace_back(name); return inputs_.back(); }
    OpParamDef& Output(const char* name) { outputs_.emplace_back(name); return outputs_.back(); }
    OpAICoreConfig& DynamicCompileStaticFlag(bool) { return *this; }
    OpAICoreConfig& DynamicFormatFlag(bool) { return *this; }
    OpAICoreConfig& DynamicRankSupportFlag(bool) { return *this; }
    OpAICoreConfig& DynamicShapeSupportFlag(bool) { return *this; }
    OpAICoreConfig& NeedCheckSupportFlag(bool) { return *this; }
    OpAICoreConfig& PrecisionReduceFlag(bool) { return *this; }
    OpAICoreConfig& AsyncFlag(bool) { return *this; }
    OpAICoreConfig& RangeLimitValue(const char*) { return *this; }
    OpAICoreConfig& ExtendCfgInfo(const char*, const char*) { return *this; }

    // The SoC's own parameter lists (Note [Registered SoCs]); empty: the OpDef's own apply.
    const std::vector<OpParamDef>& Inputs() const { return inputs_; }
    const std::vector<OpParamDef>& Outputs() const { return outputs_; }

private:
    std::vector<OpParamDef> inputs_, outputs_;
};

class OpAICoreDef {
public:
    OpAICoreDef& SetTiling(TilingFunc f) { tiling_ = f; return *this; }
    OpAICoreDef& SetTilingParse(TilingParseFunc f) { tilingParse_ = f; return *this; }
    OpAICoreDef& SetCheckSupport(optiling::OP_CHECK_FUNC f) { check_ = Widen(f); return *this; }
    OpAICoreDef& SetCheckSupport(optiling::OP_CHECK_FUNC_V1 f) { check_ = Widen(f); return *this; }
    OpAICoreDef& SetOpSelectFormat(optiling::OP_CHECK_FUNC f) { selectFormat_ = Widen(f); return *this; }
    OpAICoreDef& SetOpSelectFormat(optiling::OP_CHECK_FUNC_V1 f) { selectFormat_ = Widen(f); return *this; }
    OpAICoreDef& AddConfig(const char* soc) { socs_.emplace_back(soc); return *this; }
    OpAICoreDef& AddConfig(const char* soc, OpAICoreConfig& config) {
        configs_.emplace_back(soc, config);
        return AddConfig(soc);
    }
    TilingFunc Tiling() const { return tiling_; }
    TilingParseFunc TilingParse() const { return tilingParse_; }
    const CheckFunc& CheckSupport() const { return check_; }  // empty when none was registered
    const CheckFunc& OpSelectFormat() const { return selectFormat_; }
    const std::vector<std::string>& Socs() const { return socs_; }
    // The OpAICoreConfig given with AddConfig for this SoC's short name (ascend910b), or nullptr.
    const OpAICoreConfig* Config(const std::string& soc) const {
        for (auto it = configs_.rbegin(); it != configs_.rend(); ++it)
            if (it->first == soc) return &it->second;
        return nullptr;
    }

private:
    template <typename F>
    static CheckFunc Widen(F f) {
        if (f == nullptr) return CheckFunc();
        return [f](const ge::Operator& op, ge::AscendString& r) { return static_cast<int64_t>(f(op, r)); };
    }
    TilingFunc tiling_ = nullptr;
    TilingParseFunc tilingParse_ = nullptr;
    CheckFunc check_, selectFormat_;
    std::vector<std::string> socs_;
    std::vector<std::pair<std::string, OpAICoreConfig>> configs_;
};

class OpDef {
public:
    explicit OpDef(const char* type) : type_(type) {}
    virtual ~OpDef() = default;
    OpParamDef& Input(const char* name) { inputs_.emplace_back(name); return inputs_.back(); }
    OpParamDef& Output(const char* name) { outputs_.emplace_back(name); return outputs_.back(); }
    OpAttrDef& Attr(const char* name) { attrs_.emplace_back(name); return attrs_.back(); }
    OpDef& SetInferShape(InferShapeFunc f) { inferShape_ = f; return *this; }
    OpDef& SetInferShapeRange(InferShapeRangeFunc f) { inferShapeRange_ = f; return *this; }
    OpDef& SetInferDataType(InferDataTypeFunc f) { inferDataType_ = f; return *this; }
    OpAICoreDef& AICore() { return aicore_; }

    const std::string& Type() const { return type_; }
    const std::vector<OpParamDef>& Inputs() const { return inputs_; }
    const std::vector<OpParamDef>& Outputs() const { return outputs_; }
    const std::vector<OpAttrDef>& Attrs() const { return attrs_; }
    // The getters end in Fn: a derived OpDef's constructor names the op's own InferShape, InferDataType
    // and InferShapeRange functions (the 2023 op_dev sample defines them at global scope), and members
    // of those names would hide them.
    InferShapeFunc InferShapeFn() const { return inferShape_; }
    InferDataTypeFunc InferDataTypeFn() const { return inferDataType_; }
    InferShapeRangeFunc InferShapeRangeFn() const { return inferShapeRange_; }
    // OP_ADD's second argument, the compile-info type TilingParse fills (Note [Graph-time host functions]).
    using CompileInfoFactory = std::function<std::shared_ptr<void>()>;
    void SetCompileInfoFactory(CompileInfoFactory f) { compileInfo_ = std::move(f); }
    const CompileInfoFactory& CompileInfo() const { return compileInfo_; }
    const OpAICoreDef& AICoreDef() const { return aicore_; }

private:
    std::string type_;
    // std::deque would keep references stable too; OpDef builders only hold them within one
    // statement, so vector growth between statements is harmless.
    std::vector<OpParamDef> inputs_, outputs_;
    std::vector<OpAttrDef> attrs_;
    InferShapeFunc inferShape_ = nullptr;
    InferDataTypeFunc inferDataType_ = nullptr;
    InferShapeRangeFunc inferShapeRange_ = nullptr;
    CompileInfoFactory compileInfo_;
    OpAICoreDef aicore_;
};

using OpDefFactory = std::function<std::unique_ptr<OpDef>(const char*)>;
// Registers an op type when its op_host library is loaded.
struct OpDefRegisterer {
    OpDefRegisterer(const char* type, OpDefFactory factory);
};
// The OpDef of `type` registered from `scope` (Note [Op scopes] in runtime/src/host.cpp); with
// an empty scope, the only library that registers `type`. nullptr when there is none.
const OpDef* FindOpDef(const std::string& type, const std::string& scope = "");
std::vector<const OpDef*> OpDefsIn(const std::string& scope);  // what one library registered
std::vector<std::string> RegisteredOpTypes();

// OP_ADD(Op, CompileInfo): makes a value-initialised CompileInfo per op and SoC; OP_ADD(Op): none.
template <typename T = void>
inline OpDef::CompileInfoFactory CompileInfoMaker() {
    return [] { return std::static_pointer_cast<void>(std::make_shared<T>()); };
}
template <>
inline OpDef::CompileInfoFactory CompileInfoMaker<void>() { return OpDef::CompileInfoFactory(); }

}  // namespace ops

#define OP_ADD(opType, ...)                                                                      \
    static ::ops::OpDefRegisterer g_opkitOpDef_##opType(#opType, [](const char* name) {        \
        std::unique_ptr<::ops::OpDef> opkitDef_(new opType(name));                              \
        opkitDef_->SetCompileInfoFactory(::ops::CompileInfoMaker<__VA_ARGS__>());               \
        return opkitDef_;                                                                       \
    })
