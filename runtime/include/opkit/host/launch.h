// opkit: running a registered op on the software AI Core, in aclnn's two phases.
//   Prepare (phase 1): pick the dtype column, infer output shapes, run the op's TilingFunc.
//   Execute (phase 2): launch the column's kernel with the tiling blob, blockDim and workspace.
#pragma once

#include <string>
#include <vector>

#include "register/op_def_registry.h"

namespace opkit {
namespace host {

struct TensorArg {
    bool present = true;  // false: an optional input that was not given (the kernel gets nullptr)
    void* data = nullptr;
    std::vector<int64_t> shape;
    ge::DataType dtype = ge::DT_UNDEFINED;
    ge::Format format = ge::FORMAT_ND;
};

struct AttrArg {
    std::string name;
    gert::AttrValue value;  // kind NONE: use the OpDef's default
};

struct Plan {
    std::string opType;
    int column = -1;
    uint32_t blockDim = 0;
    uint64_t tilingKey = 0;
    std::vector<uint8_t> tiling;
    uint64_t workspaceBytes = 0;  // the kernel may touch this much (aclnn widens it to the aclrtMalloc block)
    uint64_t workspaceAsked = 0;  // what TilingFunc's GetWorkspaceSizes add up to
    std::vector<std::vector<int64_t>> outShapes;
    std::vector<ge::DataType> outDtypes;
    std::vector<std::string> inNames, outNames;
    std::vector<uint64_t> inBytes, outBytes;  // for Note [GM bounds]
};

std::string SnakeCase(const std::string& opType);
const char* DataTypeName(ge::DataType dt);

// Loads an op_host library (its OP_ADD registrations run on load) and returns the scope its ops
// are registered under, for Prepare. Throws KernelError on failure.
std::string LoadHostLibrary(const std::string& path);
std::string ScopeOfPath(const std::string& libraryPath);  // Note [Op scopes]
std::string ScopeOf(const void* addressInLibrary);

// Phase 1 without the tiling: the dtype column and the outputs' shapes and dtypes.
Plan Infer(const std::string& opType, const std::vector<TensorArg>& inputs, const std::vector<AttrArg>& attrs,
           const rt::SocInfo* soc, const std::string& scope = "");
// outputs: the caller's output tensors (aclnn): their shapes are taken as given and InferShape is
// not run (Note [aclnn outputs are the caller's] in runtime/src/host.cpp); null: shapes are inferred.
// inferred (optional): set once the shapes and dtypes are known, so a caller can tell an InferShape
// failure from a TilingFunc one.
Plan Prepare(const std::string& opType, const std::vector<TensorArg>& inputs, const std::vector<AttrArg>& attrs,
             const rt::SocInfo* soc, const std::string& scope = "", const std::vector<TensorArg>* outputs = nullptr,
             bool* inferred = nullptr);
// The op's compile info after its TilingParse ran (once per op and SoC; null without OP_ADD's
// compile-info type). Throws KernelError when TilingParse fails.
const void* ParsedCompileInfo(const ops::OpDef& def, const rt::SocInfo* soc);
// kernelLib: the library of the plan's dtype column. Output buffers must hold the plan's shapes.
// workspace: plan.workspaceBytes of GM from the caller (aclnn), or null to have one allocated.
void Execute(const Plan& plan, const std::string& kernelLib, const std::vector<void*>& inputs,
             const std::vector<void*>& outputs, const rt::SocInfo* soc, void* workspace = nullptr);

}  // namespace host
}  // namespace opkit
