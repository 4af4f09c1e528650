// opkit: the two aclnn phases behind every generated aclnn<Op>GetWorkspaceSize / aclnn<Op>.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "acl_state.h"
#include "opkit/aclnn/executor.h"
#include "opkit/host/launch.h"
#include "sim.h"

struct aclOpExecutor {
    opkit::host::Plan plan;
    std::vector<void*> inputs, outputs;
    std::string kernelLib;
    const opkit::rt::SocInfo* soc = nullptr;
    bool empty = false;  // a zero-element input: nothing to launch
};

namespace opkit {
namespace aclnn {
namespace {

using acl::SetError;

uint32_t ElemBytes(aclDataType t) {
    switch (t) {
        case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
        case ACL_FLOAT16: case ACL_BF16: case ACL_INT16: case ACL_UINT16: return 2;
        case ACL_INT8: case ACL_UINT8: case ACL_BOOL: return 1;
        default: return 8;
    }
}

bool Contiguous(const aclTensor& t) {
    if (t.strides.empty()) return true;
    int64_t expect = 1;
    for (size_t i = t.shape.size(); i-- > 0;) {
        if (t.shape[i] != 1 && t.strides[i] != expect) return false;
        expect *= t.shape[i];
    }
    return true;
}

void* DataOf(const aclTensor& t) { return static_cast<uint8_t*>(t.data) + t.offset * ElemBytes(t.dtype); }

std::string KernelDir(const void* anchor) {
    Dl_info info{};
    if (anchor == nullptr || dladdr(anchor, &info) == 0 || info.dli_fname == nullptr)
        throw KernelError("cannot locate the library holding the aclnn entry points");
    std::string lib = info.dli_fname;  // .../op_api/lib/libcust_opapi.so
    std::string dir = lib.substr(0, lib.find_last_of('/'));
    std::string apiDir = dir.substr(0, dir.find_last_of('/'));
    std::string root = apiDir.substr(0, apiDir.find_last_of('/'));
    return root + "/op_impl/kernel";
}

// Note [aclrtMalloc padding]: a tensor in aclrtMalloc memory may be read and written up to the end
// of its padded block, as on the NPU; other memory keeps the tensor's own size.
void WidenToDeviceBlock(uint64_t& bytes, std::string* name, const void* p) {
    if (p != nullptr) acl::WidenToDeviceBlock(bytes, name, acl::DeviceRoom(p));
}

// npu_simulator in a C++ program (not the Python binding, which raises CheckError itself): like a
// CPU-debug launch, print the model's summary and end the program nonzero on a finding.
void ReportSimulated(const char* op, bool launched) {
    if (acl::Quiet() || !sim::Enabled()) return;
    const std::string what = std::string("aclnn") + op;
    if (launched) {
        sim::ReportCompletedLaunch(what.c_str());
        return;
    }
    if (const sim::Summary* s = sim::Last(); s != nullptr) {  // a failed launch: its error follows
        std::fflush(stdout);
        std::fputs(sim::Format(*s).c_str(), stderr);
    }
}

}  // namespace

AttrIn Attr(const char* name, int64_t v) { AttrIn a{name, {}}; a.value.kind = gert::AttrValue::INT; a.value.i = v; return a; }
AttrIn Attr(const char* name, double v) { AttrIn a{name, {}}; a.value.kind = gert::AttrValue::FLOAT; a.value.f = static_cast<float>(v); return a; }
AttrIn Attr(const char* name, bool v) { AttrIn a{name, {}}; a.value.kind = gert::AttrValue::BOOL; a.value.b = v; return a; }
AttrIn Attr(const char* name, const char* v) { AttrIn a{name, {}}; a.value.kind = gert::AttrValue::STRING; a.value.s = v ? v : ""; return a; }
AttrIn Attr(const char* name, const aclIntArray* v) {
    AttrIn a{name, {}};
    a.value.kind = gert::AttrValue::LIST_INT;
    if (v) a.value.listInt = gert::TypedContinuousVector<int64_t>(v->v);
    return a;
}
AttrIn Attr(const char* name, const aclFloatArray* v) {
    AttrIn a{name, {}};
    a.value.kind = gert::AttrValue::LIST_FLOAT;
    if (v) a.value.listFloat = gert::TypedContinuousVector<float>(v->v);
    return a;
}
AttrIn Attr(const char* name, const aclBoolArray* v) {
    AttrIn a{name, {}};
    a.value.kind = gert::AttrValue::LIST_BOOL;
    if (v) a.value.listBool = gert::TypedContinuousVector<bool>(std::vector<bool>(v->v.begin(), v->v.end()));
    return a;
}

aclnnStatus GetWorkspaceSize(const char* opType, std::initializer_list<const aclTensor*> inputs,
                             std::initializer_list<const aclTensor*> outputs, std::initializer_list<AttrIn> attrs,
                             uint64_t* workspaceSize, aclOpExecutor** executor, const void* anchor) {
    const std::string where = std::string("aclnn") + opType + "GetWorkspaceSize";
    if (workspaceSize == nullptr || executor == nullptr)
        return SetError(ACLNN_ERR_PARAM_NULLPTR, where + ": workspaceSize and executor must not be null");
    std::vector<host::TensorArg> args;
    auto exec = std::make_unique<aclOpExecutor>();
    size_t i = 0;
    for (const aclTensor* t : inputs) {
        if (t == nullptr) {  // an absent optional input; Prepare refuses it for required ones
            host::TensorArg a;
            a.present = false;
            args.push_back(a);
            exec->inputs.push_back(nullptr);
            ++i;
            continue;
        }
        if (!Contiguous(*t))
            return SetError(ACLNN_ERR_PARAM_INVALID, where + ": input " + std::to_string(i) + " is not contiguous");
        host::TensorArg a;
        a.data = DataOf(*t);
        a.shape = t->shape;
        a.dtype = static_cast<ge::DataType>(t->dtype);
        a.format = static_cast<ge::Format>(t->format);
        args.push_back(a);
        exec->inputs.push_back(a.data);
        int64_t n = 1;
        for (auto d : t->shape) n *= d;
        exec->empty = exec->empty || n == 0;
        ++i;
    }
    std::vector<host::AttrArg> attrArgs;
    for (const auto& a : attrs) attrArgs.push_back({a.name, a.value});
    try {
        exec->soc = &rt::DefaultSoc();
        const std::string kernelDir = KernelDir(anchor);  // <root>/op_impl/kernel
        std::vector<host::TensorArg> outArgs;
        size_t k = 0;
        for (const aclTensor* t : outputs) {
            if (t == nullptr) return SetError(ACLNN_ERR_PARAM_NULLPTR, where + ": output " + std::to_string(k) + " is null");
            if (!Contiguous(*t)) return SetError(ACLNN_ERR_PARAM_INVALID, where + ": output " + std::to_string(k) + " is not contiguous");
            host::TensorArg a;
            a.data = DataOf(*t);
            a.shape = t->shape;
            a.dtype = static_cast<ge::DataType>(t->dtype);
            a.format = static_cast<ge::Format>(t->format);
            outArgs.push_back(a);
            exec->outputs.push_back(a.data);
            ++k;
        }
        // The outputs' shapes are the caller's (Note [aclnn outputs are the caller's] in host.cpp).
        exec->plan = host::Prepare(opType, args, attrArgs, exec->soc, host::ScopeOfPath(kernelDir), &outArgs);
        exec->kernelLib = kernelDir + "/libopkit_kernel_" + host::SnakeCase(opType) + "_" +
                          std::to_string(exec->plan.column) + ".so";
    } catch (const std::exception& e) {
        return SetError(ACLNN_ERR_PARAM_INVALID, where + ": " + e.what());
    }
    *workspaceSize = exec->plan.workspaceBytes;
    *executor = exec.release();
    return ACLNN_SUCCESS;
}

aclnnStatus Unsupported(const char* opType, const char* why, uint64_t* workspaceSize, aclOpExecutor** executor) {
    if (workspaceSize != nullptr) *workspaceSize = 0;
    if (executor != nullptr) *executor = nullptr;
    return SetError(ACLNN_ERR_PARAM_INVALID, std::string("aclnn") + opType + "GetWorkspaceSize: " + why);
}

aclnnStatus Run(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    if (executor == nullptr) return SetError(ACLNN_ERR_PARAM_NULLPTR, "aclnn launch: executor is null (call GetWorkspaceSize first)");
    std::unique_ptr<aclOpExecutor> exec(executor);  // an executor runs once
    const std::string where = "aclnn" + exec->plan.opType;
    if (workspaceSize < exec->plan.workspaceBytes || (exec->plan.workspaceBytes > 0 && workspace == nullptr))
        return SetError(ACLNN_ERR_PARAM_INVALID, where + ": the workspace needs " + std::to_string(exec->plan.workspaceBytes) +
                                                     " bytes, got " + std::to_string(workspaceSize));
    if (exec->empty) return ACLNN_SUCCESS;
    host::Plan& plan = exec->plan;
    for (size_t i = 0; i < exec->inputs.size() && i < plan.inBytes.size(); ++i)
        WidenToDeviceBlock(plan.inBytes[i], i < plan.inNames.size() ? &plan.inNames[i] : nullptr, exec->inputs[i]);
    for (size_t i = 0; i < exec->outputs.size() && i < plan.outBytes.size(); ++i)
        WidenToDeviceBlock(plan.outBytes[i], i < plan.outNames.size() ? &plan.outNames[i] : nullptr, exec->outputs[i]);
    if (plan.workspaceBytes > 0) WidenToDeviceBlock(plan.workspaceBytes, nullptr, workspace);
    try {
        host::Execute(plan, exec->kernelLib, exec->inputs, exec->outputs, exec->soc, workspace);
        ReportSimulated(plan.opType.c_str(), true);
    } catch (const std::exception& e) {
        ReportSimulated(plan.opType.c_str(), false);
        if (stream != nullptr) {
            auto* s = static_cast<acl::Stream*>(stream);
            if (s->failed.empty()) s->failed = e.what();
        }
        return SetError(ACLNN_ERR_RUNTIME_ERROR, where + ": " + e.what());
    }
    return ACLNN_SUCCESS;
}

}  // namespace aclnn
}  // namespace opkit
