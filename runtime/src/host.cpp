// opkit: CANN's host API on the CPU: the op registry, PlatformAscendC, and the two-phase launch.
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "opkit/host/launch.h"
#include "opkit/host/matmul_tiling.h"

namespace ops {
namespace {
// Note [Op scopes]: op types are registered per op_host library, keyed by the directory the
// library lives in (its "scope", e.g. <project>/build_out/.../ops/op_impl): a user's project may
// define an op type that the built-in ops define too, and each project's kernels must run with its
// own tiling. The registerer finds its own library with dladdr, so this works whether the library
// was dlopen'ed by Python or linked into a program through libcust_opapi.so.
struct Registry {
    std::mutex mu;
    std::map<std::string, std::map<std::string, std::unique_ptr<OpDef>>> scopes;
};
Registry& Reg() {
    static Registry r;
    return r;
}
}  // namespace

OpDefRegisterer::OpDefRegisterer(const char* type, OpDefFactory factory) {
    auto def = factory(type);
    std::string scope = opkit::host::ScopeOf(this);
    std::lock_guard<std::mutex> lock(Reg().mu);
    Reg().scopes[scope][type] = std::move(def);
}

const OpDef* FindOpDef(const std::string& type, const std::string& scope) {
    std::lock_guard<std::mutex> lock(Reg().mu);
    for (const std::string& s : {scope, std::string()}) {
        auto it = Reg().scopes.find(s);
        if (it == Reg().scopes.end()) continue;
        auto def = it->second.find(type);
        if (def != it->second.end()) return def->second.get();
    }
    if (!scope.empty()) return nullptr;
    const OpDef* found = nullptr;  // no scope given: any library's, if only one defines it
    for (auto& kv : Reg().scopes) {
        auto def = kv.second.find(type);
        if (def == kv.second.end()) continue;
        if (found != nullptr) return nullptr;
        found = def->second.get();
    }
    return found;
}

std::vector<std::string> RegisteredOpTypes() {
    std::lock_guard<std::mutex> lock(Reg().mu);
    std::vector<std::string> out;
    for (auto& scope : Reg().scopes)
        for (auto& kv : scope.second) out.push_back(kv.first);
    return out;
}


std::vector<const OpDef*> OpDefsIn(const std::string& scope) {
    std::lock_guard<std::mutex> lock(Reg().mu);
    std::vector<const OpDef*> out;
    auto it = Reg().scopes.find(scope);
    if (it != Reg().scopes.end())
        for (auto& kv : it->second) out.push_back(kv.second.get());
    return out;
}
}  // namespace ops

namespace platform_ascendc {
const opkit::rt::SocInfo& PlatformAscendC::Soc() const {
    if (soc_ == nullptr) throw opkit::KernelError("PlatformAscendC: no platform info (call from a TilingFunc)");
    return *soc_;
}
void PlatformAscendC::GetCoreMemSize(CoreMemType type, uint64_t& size) const {
    using opkit::rt::Mem;
    auto bytes = [&](Mem m) { return uint64_t(Soc().memBytes[static_cast<int>(m)]); };
    switch (type) {
        case CoreMemType::L0_A: size = bytes(Mem::L0A); break;
        case CoreMemType::L0_B: size = bytes(Mem::L0B); break;
        case CoreMemType::L0_C: size = bytes(Mem::L0C); break;
        case CoreMemType::L1: size = bytes(Mem::L1); break;
        case CoreMemType::UB: size = bytes(Mem::UB); break;
        default: size = 0; break;
    }
}
void PlatformAscendC::GetCoreMemBw(CoreMemType, uint64_t& bw) const { bw = 0; }
SocVersion PlatformAscendC::GetSocVersion() const {
    switch (Soc().arch) {
        case 2201: return SocVersion::ASCEND910B;
        case 1001: return SocVersion::ASCEND910;
        case 2002: return SocVersion::ASCEND310P;
        default: return SocVersion::RESERVED_VERSION;
    }
}
uint32_t PlatformAscendC::CalcTschBlockDim(uint32_t sliceNum, uint32_t aicCoreNum, uint32_t aivCoreNum) const {
    // A mixed cube+vector task on a split SoC occupies whole AI Cores (1 AIC + 2 AIV each).
    if (aicCoreNum == 0 || aivCoreNum == 0 || aicCoreNum > aivCoreNum) return sliceNum;
    uint32_t ratio = aivCoreNum / aicCoreNum;
    return (sliceNum + ratio - 1) / ratio;
}
}  // namespace platform_ascendc

namespace opkit {
namespace host {

std::string SnakeCase(const std::string& t) {
    std::string out;
    out.reserve(t.size() + 8);
    for (size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        bool upper = c >= 'A' && c <= 'Z';
        if (upper && i > 0) {
            char p = t[i - 1];
            bool prevLowerOrDigit = (p >= 'a' && p <= 'z') || (p >= '0' && p <= '9');
            bool prevUpper = p >= 'A' && p <= 'Z';
            bool nextLower = i + 1 < t.size() && t[i + 1] >= 'a' && t[i + 1] <= 'z';
            if (prevLowerOrDigit || (prevUpper && nextLower)) out += '_';
        }
        out += upper ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

const char* DataTypeName(ge::DataType dt) {
    switch (dt) {
        case ge::DT_FLOAT: return "float32";
        case ge::DT_FLOAT16: return "float16";
        case ge::DT_BF16: return "bfloat16";
        case ge::DT_DOUBLE: return "float64";
        case ge::DT_INT8: return "int8";
        case ge::DT_INT16: return "int16";
        case ge::DT_INT32: return "int32";
        case ge::DT_INT64: return "int64";
        case ge::DT_UINT8: return "uint8";
        case ge::DT_UINT16: return "uint16";
        case ge::DT_UINT32: return "uint32";
        case ge::DT_UINT64: return "uint64";
        case ge::DT_BOOL: return "bool";
        default: return "undefined";
    }
}

namespace {

[[noreturn]] void Error(const std::string& op, const std::string& msg) { throw KernelError(op + ": " + msg); }

const ops::OpDef& Def(const std::string& opType, const std::string& scope) {
    const ops::OpDef* def = ops::FindOpDef(opType, scope);
    if (def == nullptr) {
        std::string known;
        for (auto& t : ops::RegisteredOpTypes()) known += (known.empty() ? "" : ", ") + t;
        Error(opType, "no op of this type is registered (loaded: " + (known.empty() ? "none" : known) +
                          "); build its project and load its op_host library");
    }
    return *def;
}

// Note [Registered SoCs]: an op's kernels are built for the SoCs its OpDef names with
// this->AICore().AddConfig("ascend910b") (msopgen's op info holds the op for those alone), so CANN has
// nothing to launch on another SoC. opkit would compile and run the kernel anyway and fail somewhere
// inside it, or give a number no NPU would; it refuses the launch instead, naming the fix. An OpDef
// with no AddConfig at all is taken as meant for every SoC. AddConfig(soc, config) can give a SoC
// dtype lists of its own (an OpAICoreConfig's Input/Output: bfloat16 only where the SoC has it); a
// call on that SoC must match one of the config's columns as well as the OpDef's.
void CheckConfigured(const ops::OpDef& def, const rt::SocInfo& soc) {
    const std::vector<std::string>& socs = def.AICoreDef().Socs();
    if (socs.empty() || std::find(socs.begin(), socs.end(), soc.shortName) != socs.end()) return;
    std::string list;
    for (const auto& s : socs) list += (list.empty() ? "" : ", ") + s;
    Error(def.Type(), "is registered for " + list + " (this->AICore().AddConfig(...) in its op_host code), not for " +
                          soc.name + " (" + soc.shortName + "): add this->AICore().AddConfig(\"" + soc.shortName +
                          "\") if its kernel supports that SoC, or run it on one it is registered for (soc=... or OPKIT_SOC)");
}

std::string Shape(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + (s.size() == 1 ? ",)" : ")");
}

// The dtype column of `ins` that the given inputs match: the OpDef's inputs, or those of the
// OpAICoreConfig registered for `configSoc` (named in the error).
int PickColumn(const ops::OpDef& def, const std::vector<ops::OpParamDef>& ins, const std::vector<TensorArg>& inputs,
               const rt::SocInfo* configSoc = nullptr) {
    if (configSoc != nullptr && ins.empty()) return 0;  // a config that lists no inputs keeps the OpDef's
    if (inputs.size() != ins.size())
        Error(def.Type(), "takes " + std::to_string(ins.size()) + " inputs, got " + std::to_string(inputs.size()));
    for (size_t i = 0; i < ins.size(); ++i) {
        if (!inputs[i].present && ins[i].GetParamType() != ops::OPTIONAL)
            Error(def.Type(), "input '" + ins[i].Name() + "' is required but was not given");
        if (ins[i].GetParamType() == ops::DYNAMIC)
            Error(def.Type(), "input '" + ins[i].Name() + "' is dynamic (a tensor list); opkit does not run dynamic inputs yet");
    }
    size_t columns = ins.empty() ? def.Outputs().at(0).DataTypes().size() : ins[0].DataTypes().size();
    for (size_t c = 0; c < columns; ++c) {
        bool ok = true;
        for (size_t i = 0; i < ins.size() && ok; ++i) {
            if (!inputs[i].present) continue;  // an absent optional input matches any column
            const auto& dts = ins[i].DataTypes();
            ok = (dts.size() == 1 ? dts[0] : dts.at(c)) == inputs[i].dtype;
        }
        if (ok) return static_cast<int>(c);
    }
    std::string got, supported;
    for (size_t i = 0; i < inputs.size(); ++i)
        got += (i ? ", " : "") + ins[i].Name() + "=" + (inputs[i].present ? DataTypeName(inputs[i].dtype) : "absent");
    for (size_t c = 0; c < columns; ++c) {
        supported += c ? "; " : "";
        for (size_t i = 0; i < ins.size(); ++i) {
            const auto& dts = ins[i].DataTypes();
            supported += (i ? ", " : "") + ins[i].Name() + "=" + DataTypeName(dts.size() == 1 ? dts[0] : dts[c]);
        }
    }
    const std::string where = configSoc == nullptr ? "" : std::string(" of its OpAICoreConfig for ") + configSoc->shortName +
        " (AddConfig(\"" + configSoc->shortName + "\", config)), the SoC of this call (" + configSoc->name + "),";
    Error(def.Type(), "no dtype column" + where + " takes " + got + " (supported: " + supported + ")");
}

gert::AttrValue ResolveAttr(const ops::OpDef& def, const ops::OpAttrDef& a, const std::vector<AttrArg>& given) {
    for (const auto& g : given)
        if (g.name == a.Name() && g.value.kind != gert::AttrValue::NONE) {
            gert::AttrValue v = g.value;
            // Python numbers arrive as int or float; the OpDef's type decides.
            if (a.GetKind() == gert::AttrValue::FLOAT && v.kind == gert::AttrValue::INT) {
                v.kind = gert::AttrValue::FLOAT;
                v.f = static_cast<float>(v.i);
            }
            if (v.kind != a.GetKind()) Error(def.Type(), "attr '" + a.Name() + "' has the wrong type");
            return v;
        }
    if (!a.HasDefault()) Error(def.Type(), "attr '" + a.Name() + "' is required and has no default");
    return a.Default();
}

}  // namespace

std::string ScopeOfPath(const std::string& libraryPath) {
    std::string dir = libraryPath.substr(0, libraryPath.find_last_of('/') == std::string::npos ? 0 : libraryPath.find_last_of('/'));
    if (dir.empty()) dir = ".";
    // Every aclnn call asks for its library's scope: realpath's readlink per path component was a
    // measurable part of a small launch, so each directory is resolved once per process.
    static std::mutex mu;
    static std::unordered_map<std::string, std::string> resolved;
    std::lock_guard<std::mutex> lock(mu);
    auto it = resolved.find(dir);
    if (it != resolved.end()) return it->second;
    char buf[PATH_MAX];
    const std::string scope = realpath(dir.c_str(), buf) != nullptr ? std::string(buf) : dir;
    if (dir[0] == '/') resolved.emplace(dir, scope);  // a relative one depends on the working directory
    return scope;
}

std::string ScopeOf(const void* addressInLibrary) {
    Dl_info info{};
    if (dladdr(addressInLibrary, &info) == 0 || info.dli_fname == nullptr) return "";
    return ScopeOfPath(info.dli_fname);
}

std::string LoadHostLibrary(const std::string& path) {
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr)
        throw KernelError("cannot load op_host library " + path + ": " + dlerror());
    return ScopeOfPath(path);
}

namespace {
// Note [aclnn outputs are the caller's]: CANN registers InferShape/InferDataType "only for the graph
// (入图) scenario" (asc-devkit docs, 算子原型定义, the comment on SetInferShape). An aclnn call gets
// its output tensors from the caller, and the op's TilingFunc sees their shapes; the matmul samples
// register no InferShape at all. So with the caller's outputs (aclnn) their shapes are taken as
// given and InferShape/InferDataType are not run. Their dtype must still be the one the OpDef
// registers for the chosen dtype column, as only that column's kernel exists.
void TakeGivenOutputs(const ops::OpDef& def, const std::vector<TensorArg>& given, gert::OpLaunchInfo& info) {
    if (given.size() != def.Outputs().size())
        Error(def.Type(), std::to_string(given.size()) + " outputs given, the OpDef registers " +
                              std::to_string(def.Outputs().size()) + "; pass one tensor per this->Output(...)");
    for (size_t i = 0; i < given.size(); ++i) {
        const ge::DataType want = info.outputDescs[i].GetDataType();
        if (given[i].dtype != want)
            Error(def.Type(), "output " + std::to_string(i) + " (" + def.Outputs()[i].Name() + ") is " +
                                  DataTypeName(given[i].dtype) + ", but for these input dtypes the OpDef registers " +
                                  DataTypeName(want) + "; create the output tensor as " + DataTypeName(want));
        gert::Shape s;
        for (int64_t d : given[i].shape) s.AppendDim(d);
        info.outputShapes[i] = gert::StorageShape(s);
        info.outputDescs[i] = gert::CompileTimeTensorDesc(want, given[i].format);
    }
}

// Everything phase 1 knows before tiling: the dtype column, attributes and output shapes.
Plan Describe(const ops::OpDef& def, const std::vector<TensorArg>& inputs, const std::vector<AttrArg>& attrs,
              const rt::SocInfo* soc, gert::OpLaunchInfo& info, const std::vector<TensorArg>* given) {
    const std::string& opType = def.Type();
    for (const auto& g : attrs) {
        bool known = false;
        for (const auto& a : def.Attrs()) known = known || a.Name() == g.name;
        if (!known) Error(opType, "has no attr '" + g.name + "'");
    }
    Plan plan;
    plan.opType = opType;
    plan.column = PickColumn(def, def.Inputs(), inputs);
    // A SoC registered with its own OpAICoreConfig takes only that config's dtypes (Note [Registered SoCs]).
    if (const ops::OpAICoreConfig* config = def.AICoreDef().Config(soc->shortName))
        PickColumn(def, config->Inputs(), inputs, soc);

    info.opType = opType;
    info.soc = soc;
    std::vector<gert::AttrValue> values;
    for (const auto& a : def.Attrs()) values.push_back(ResolveAttr(def, a, attrs));
    info.attrs = gert::RuntimeAttrs(std::move(values));
    auto bytesOf = [](const std::vector<int64_t>& shape, ge::DataType dt) {
        uint64_t n = 1;
        for (int64_t d : shape) n *= static_cast<uint64_t>(d < 0 ? 0 : d);
        switch (dt) {
            case ge::DT_FLOAT: case ge::DT_INT32: case ge::DT_UINT32: return n * 4;
            case ge::DT_INT8: case ge::DT_UINT8: case ge::DT_BOOL: return n;
            case ge::DT_INT64: case ge::DT_UINT64: case ge::DT_DOUBLE: return n * 8;
            default: return n * 2;
        }
    };
    plan.inNames.reserve(inputs.size());
    plan.inBytes.reserve(inputs.size());
    info.inputPresent.reserve(inputs.size());
    info.inputShapes.reserve(inputs.size());
    info.inputs.reserve(inputs.size());
    info.inputDescs.reserve(inputs.size());
    info.outputDescs.reserve(def.Outputs().size());
    info.outputShapes.reserve(def.Outputs().size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        plan.inNames.push_back(def.Inputs()[i].Name());
        plan.inBytes.push_back(bytesOf(inputs[i].shape, inputs[i].dtype));
    }
    for (const auto& t : inputs) {
        gert::Shape s;
        for (int64_t d : t.shape) s.AppendDim(d);
        info.inputPresent.push_back(t.present);
        info.inputShapes.emplace_back(s);
        info.inputs.emplace_back(gert::StorageShape(s), t.dtype, t.format, t.data);
        info.inputDescs.emplace_back(t.dtype, t.format);
    }
    for (const auto& o : def.Outputs()) {
        const auto& dts = o.DataTypes();
        ge::DataType dt = dts.size() == 1 ? dts[0] : dts.at(plan.column);
        info.outputDescs.emplace_back(dt, ge::FORMAT_ND);
        info.outputShapes.emplace_back(inputs.empty() ? gert::Shape() : info.inputShapes[0].GetStorageShape());
    }
    if (given != nullptr) {
        TakeGivenOutputs(def, *given, info);
    } else if (def.InferShapeFn() != nullptr) {
        gert::InferShapeContext ctx(info);
        if (def.InferShapeFn()(&ctx) != ge::GRAPH_SUCCESS) {
            std::string shapes;
            for (size_t i = 0; i < inputs.size(); ++i)
                shapes += (i ? ", " : "") + def.Inputs()[i].Name() + "=" + Shape(inputs[i].shape);
            Error(opType, "InferShape rejected the input shapes " + shapes);
        }
    }
    if (given == nullptr && def.InferDataTypeFn() != nullptr) {
        gert::InferDataTypeContext ctx(info);
        if (def.InferDataTypeFn()(&ctx) != ge::GRAPH_SUCCESS) Error(opType, "InferDataType failed");
    }
    for (size_t i = 0; i < info.outputShapes.size(); ++i) {
        const auto& s = info.outputShapes[i].GetStorageShape();
        std::vector<int64_t> dims;
        for (size_t d = 0; d < s.GetDimNum(); ++d) dims.push_back(s.GetDim(d));
        plan.outShapes.push_back(dims);
        plan.outDtypes.push_back(info.outputDescs[i].GetDataType());
        plan.outNames.push_back(def.Outputs()[i].Name());
        plan.outBytes.push_back(bytesOf(dims, info.outputDescs[i].GetDataType()));
    }
    return plan;
}
}  // namespace

Plan Infer(const std::string& opType, const std::vector<TensorArg>& inputs, const std::vector<AttrArg>& attrs,
           const rt::SocInfo* soc, const std::string& scope) {
    gert::OpLaunchInfo info;
    return Describe(Def(opType, scope), inputs, attrs, soc ? soc : &rt::DefaultSoc(), info, nullptr);
}

Plan Prepare(const std::string& opType, const std::vector<TensorArg>& inputs, const std::vector<AttrArg>& attrs,
             const rt::SocInfo* soc, const std::string& scope, const std::vector<TensorArg>* outputs, bool* inferred) {
    const ops::OpDef& def = Def(opType, scope);
    // The launch info's vectors (a StorageShape is 416 bytes, so each is a large malloc) keep their
    // capacity on this thread from call to call, as the tiling buffer below does; a TilingFunc that
    // runs Prepare itself gets one of its own.
    // (On the heap: the library's TLS must stay small, Note [Small TLS] in core.cpp.)
    thread_local std::unique_ptr<gert::OpLaunchInfo> threadInfo;
    thread_local bool threadInfoBusy = false;
    if (threadInfo == nullptr) threadInfo = std::make_unique<gert::OpLaunchInfo>();
    gert::OpLaunchInfo ownInfo;
    gert::OpLaunchInfo& info = threadInfoBusy ? ownInfo : *threadInfo;
    info.opType.clear();
    info.inputs.clear();
    info.inputDescs.clear();
    info.inputShapes.clear();
    info.inputPresent.clear();
    info.outputShapes.clear();
    info.outputDescs.clear();
    info.attrs = gert::RuntimeAttrs();
    info.soc = nullptr;
    struct Busy {
        bool& flag, was;
        explicit Busy(bool& f) : flag(f), was(f) { flag = true; }
        ~Busy() { flag = was; }
    } infoBusy(threadInfoBusy);
    CheckConfigured(def, soc ? *soc : rt::DefaultSoc());
    Plan plan = Describe(def, inputs, attrs, soc ? soc : &rt::DefaultSoc(), info, outputs);
    if (inferred != nullptr) *inferred = true;
    auto tilingFn = def.AICoreDef().Tiling();
    if (tilingFn == nullptr) Error(opType, "has no tiling function (this->AICore().SetTiling(...))");
    // Note [Tiling buffer]: each thread keeps its 64 KiB tiling buffer (a fresh one per call cost a
    // malloc, a free and the zeroing of new memory: a tenth of a small call). A TilingFunc gets it
    // zeroed: the bytes the last TilingFunc on this thread declared (GetDataSize), rounded up to
    // 1 KiB, are zeroed again; one that writes past what it declares leaves bytes a later TilingFunc
    // could read before writing them, as CANN's tiling buffer holds whatever it held. A TilingFunc that
    // runs Prepare itself (nothing stops one) gets a buffer of its own.
    constexpr size_t kTilingCapacity = 64 * 1024;
    thread_local std::vector<uint8_t> threadBuffer(kTilingCapacity);
    thread_local size_t threadDirty = 0;
    thread_local bool threadBufferBusy = false;
    std::vector<uint8_t> ownBuffer;
    uint8_t* buffer = threadBuffer.data();
    const bool own = threadBufferBusy;
    if (own) {
        ownBuffer.assign(kTilingCapacity, 0);
        buffer = ownBuffer.data();
    } else {
        std::memset(buffer, 0, threadDirty);
        threadDirty = kTilingCapacity;  // until this TilingFunc says how much it wrote
    }
    Busy busy(threadBufferBusy);
    gert::TilingContext ctx(info, buffer, kTilingCapacity);
    ctx.SetCompileInfo(ParsedCompileInfo(def, info.soc));
    ClearMatmulTilingFailure();
    if (tilingFn(&ctx) != ge::GRAPH_SUCCESS) {
        // A matmul GetTiling that returned -1 just before is the likely cause (Note [Matmul tiling ABI]).
        std::string cause = LastMatmulTilingFailure();
        Error(opType, "TilingFunc returned GRAPH_FAILED" + (cause.empty() ? "" : " after " + cause));
    }
    plan.blockDim = ctx.GetBlockDim();
    if (plan.blockDim == 0) Error(opType, "TilingFunc left blockDim at 0; call context->SetBlockDim(n)");
    plan.tilingKey = ctx.GetTilingKey();
    size_t size = ctx.GetRawTilingData()->GetDataSize();
    if (size > kTilingCapacity) Error(opType, "tiling data size exceeds the capacity");
    auto* data = static_cast<uint8_t*>(ctx.GetRawTilingData()->GetData());
    plan.tiling.assign(data, data + size);
    if (!own) threadDirty = std::min(kTilingCapacity, (size + 1023) / 1024 * 1024);
    size_t* ws = ctx.GetWorkspaceSizes(0);
    for (size_t i = 0; i < ctx.GetWorkspaceNum(); ++i) plan.workspaceBytes += ws[i];
    plan.workspaceAsked = plan.workspaceBytes;
    return plan;
}

namespace {
using G = uint8_t*;
void Call(void* fn, const std::vector<G>& a) {
#define OPKIT_CALL(N, ...) case N: return reinterpret_cast<void (*)(OPKIT_G##N)>(fn)(__VA_ARGS__)
#define OPKIT_G3 G, G, G
#define OPKIT_G4 G, G, G, G
#define OPKIT_G5 OPKIT_G4, G
#define OPKIT_G6 OPKIT_G5, G
#define OPKIT_G7 OPKIT_G6, G
#define OPKIT_G8 OPKIT_G7, G
#define OPKIT_G9 OPKIT_G8, G
#define OPKIT_G10 OPKIT_G9, G
#define OPKIT_G11 OPKIT_G10, G
#define OPKIT_G12 OPKIT_G11, G
    switch (a.size()) {
        OPKIT_CALL(3, a[0], a[1], a[2]);
        OPKIT_CALL(4, a[0], a[1], a[2], a[3]);
        OPKIT_CALL(5, a[0], a[1], a[2], a[3], a[4]);
        OPKIT_CALL(6, a[0], a[1], a[2], a[3], a[4], a[5]);
        OPKIT_CALL(7, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        OPKIT_CALL(8, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
        OPKIT_CALL(9, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
        OPKIT_CALL(10, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
        OPKIT_CALL(11, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
        OPKIT_CALL(12, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
        default: throw KernelError("kernels with " + std::to_string(a.size()) + " arguments are not supported (3..12)");
    }
}

void* KernelEntry(const std::string& lib, const std::string& entry) {
    static std::mutex mu;
    static std::map<std::string, void*> handles;
    std::lock_guard<std::mutex> lock(mu);
    void*& h = handles[lib];
    if (h == nullptr) {
        h = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (h == nullptr) throw KernelError(std::string("cannot load kernel library ") + lib + ": " + dlerror());
    }
    void* fn = dlsym(h, entry.c_str());
    if (fn == nullptr)
        throw KernelError("kernel library " + lib + " has no entry '" + entry +
                          "' (declare it extern \"C\" __global__ __aicore__ void " + entry + "(...))");
    return fn;
}

// The workspace as a GM-bounds message names it: how TilingFunc sized it and what is left for
// GetUserWorkspace, which starts after the system part (rt::SysWorkspaceBytes). A kernel that runs past
// the end usually asked for too little: a user part of 0 bytes is a TilingFunc that forgot it, or
// whose size arithmetic overflowed.
std::string WorkspaceName(const Plan& plan) {
    const uint64_t sys = rt::SysWorkspaceBytes();
    const uint64_t user = plan.workspaceAsked > sys ? plan.workspaceAsked - sys : 0;
    return "the workspace (TilingFunc's GetWorkspaceSizes total " + std::to_string(plan.workspaceAsked) +
           " bytes; GetUserWorkspace starts after the " + std::to_string(sys) + "-byte system part, leaving " +
           std::to_string(user) + " bytes for the kernel's own use)";
}

struct AlignedBuffer {
    explicit AlignedBuffer(size_t n) : p(n ? static_cast<uint8_t*>(std::aligned_alloc(64, (n + 63) & ~size_t(63))) : nullptr) {
        if (n && p == nullptr) throw KernelError("out of host memory for a " + std::to_string(n) + "-byte buffer");
    }
    ~AlignedBuffer() { std::free(p); }
    uint8_t* p;
};
}  // namespace

void Execute(const Plan& plan, const std::string& kernelLib, const std::vector<void*>& inputs,
             const std::vector<void*>& outputs, const rt::SocInfo* soc, void* workspace) {
    const std::string entry = SnakeCase(plan.opType);
    void* fn = KernelEntry(kernelLib, entry);
    AlignedBuffer tiling(std::max<size_t>(plan.tiling.size(), 4));
    std::memcpy(tiling.p, plan.tiling.data(), plan.tiling.size());
    AlignedBuffer ownWorkspace(workspace == nullptr ? plan.workspaceBytes : 0);
    std::vector<G> args;
    args.reserve(inputs.size() + outputs.size() + 2);
    for (void* p : inputs) args.push_back(static_cast<G>(p));
    for (void* p : outputs) args.push_back(static_cast<G>(p));
    args.push_back(workspace != nullptr ? static_cast<G>(workspace) : ownWorkspace.p);
    args.push_back(tiling.p);
    rt::LaunchConfig cfg;
    cfg.kernelName = entry;
    cfg.gm.reserve(inputs.size() + outputs.size() + 2);
    cfg.workspace = args[args.size() - 2];
    for (size_t i = 0; i < inputs.size() && i < plan.inBytes.size(); ++i)
        cfg.gm.push_back({static_cast<const uint8_t*>(inputs[i]), plan.inBytes[i], "input " + plan.inNames[i]});
    for (size_t i = 0; i < outputs.size() && i < plan.outBytes.size(); ++i)
        cfg.gm.push_back({static_cast<const uint8_t*>(outputs[i]), plan.outBytes[i], "output " + plan.outNames[i]});
    if (plan.workspaceBytes > 0) cfg.gm.push_back({args[args.size() - 2], plan.workspaceBytes, WorkspaceName(plan)});
    cfg.gm.push_back({tiling.p, plan.tiling.size(), "the tiling data"});
    cfg.blockDim = plan.blockDim;
    cfg.tilingKey = plan.tilingKey;
    cfg.soc = soc;
    cfg.entry = fn;
    cfg.inferType = true;  // Note [Kernel type from the instructions]
    rt::Launch(cfg, [&]() { Call(fn, args); });
}

}  // namespace host
}  // namespace opkit
