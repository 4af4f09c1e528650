// opkit: TilingParse before an op's first tiling (Note [Graph-time host functions] in
// opkit/host/graph_api.h): once per op and SoC, on a value-initialised object of the compile-info
// type OP_ADD names; the TilingFunc reads it with context->GetCompileInfo<T>().
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "opkit/host/launch.h"

namespace opkit {
namespace host {

const void* ParsedCompileInfo(const ops::OpDef& def, const rt::SocInfo* soc) {
    static std::mutex mu;
    static std::map<std::pair<const ops::OpDef*, const rt::SocInfo*>, std::shared_ptr<void>> parsed;
    std::lock_guard<std::mutex> lock(mu);
    auto key = std::make_pair(&def, soc);
    auto it = parsed.find(key);
    if (it != parsed.end()) return it->second.get();
    std::shared_ptr<void> info = def.CompileInfo() ? def.CompileInfo()() : nullptr;
    if (auto parse = def.AICoreDef().TilingParse()) {
        fe::PlatFormInfos platform(soc);
        gert::TilingParseContext ctx("{}", info.get(), &platform);  // "{}": opkit compiles no op binary
        if (parse(&ctx) != ge::GRAPH_SUCCESS)
            throw KernelError(def.Type() + ": the TilingParse function (AICore().SetTilingParse) returned GRAPH_FAILED; "
                              "it runs once before the first tiling, on the op's compile info");
    }
    parsed[key] = info;  // a failed parse is not cached: the next call reports it again
    return info.get();
}

}  // namespace host
}  // namespace opkit
