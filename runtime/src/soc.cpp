// opkit: the SoC table. Every SoC fact opkit uses (tiling budgets, arena sizes, checks, the
// performance model) is read from here.
//
// Sources: memory sizes and core counts from CANN 8.1 platform_config/<Soc>.ini as summarised in
// shared/reference/ascendc-kernel-api.md section 7. BT/FB sizes are assumptions (no public figure
// found); no shipped kernel uses those positions. The last column is the UB scratch area the API
// borrows (Note [UB scratch area], runtime/src/ub_scratch.cpp): asc-devkit's
// impl/basic_api/utils/kernel_utils_constants.h puts TMP_UB_OFFSET 8 KiB below the top of UB on
// every SoC here (184 of 192 KiB for arch 2201, 248 of 256 KiB for 1001 and 2002) and sets
// TMP_UB_SIZE to 8 KiB; TPipe gives out the whole UB all the same (its limit is TOTAL_UB_SIZE).
#include <cstdlib>
#include <cstring>
#include <string>

#include "opkit/rt/api.h"

namespace opkit {
namespace rt {
namespace {

constexpr uint32_t KiB = 1024;

//                 name          short         arch  cce  aic aiv clock  UB        L1        L0A      L0B      L0C       BT       FB      pad   bf16  split  UB scratch
const SocInfo kSocs[] = {
    {"Ascend910B1", "ascend910b", 2201, 220, 24, 48, 1.85, {192 * KiB, 512 * KiB, 64 * KiB, 64 * KiB, 128 * KiB, 1 * KiB, 2 * KiB}, true, true, true, 8 * KiB, false},
    {"Ascend910B2", "ascend910b", 2201, 220, 24, 48, 1.80, {192 * KiB, 512 * KiB, 64 * KiB, 64 * KiB, 128 * KiB, 1 * KiB, 2 * KiB}, true, true, true, 8 * KiB, false},
    {"Ascend910B3", "ascend910b", 2201, 220, 20, 40, 1.80, {192 * KiB, 512 * KiB, 64 * KiB, 64 * KiB, 128 * KiB, 1 * KiB, 2 * KiB}, true, true, true, 8 * KiB, false},
    {"Ascend910B4", "ascend910b", 2201, 220, 20, 40, 1.50, {192 * KiB, 512 * KiB, 64 * KiB, 64 * KiB, 128 * KiB, 1 * KiB, 2 * KiB}, true, true, true, 8 * KiB, false},
    // 910A: coupled cube+vector cores; the core count and clock are third-party figures.
    {"Ascend910A", "ascend910", 1001, 100, 32, 32, 1.00, {256 * KiB, 1024 * KiB, 64 * KiB, 64 * KiB, 256 * KiB, 1 * KiB, 2 * KiB}, false, false, false, 8 * KiB, true},
    // 310P3: 8 AI cores (coupled) + 7 vector cores; a vector kernel sees the 8 AI cores.
    {"Ascend310P3", "ascend310p", 2002, 200, 8, 8, 1.06, {256 * KiB, 1024 * KiB, 64 * KiB, 64 * KiB, 256 * KiB, 1 * KiB, 2 * KiB}, false, false, false, 8 * KiB, true},
};

struct Alias {
    const char* alias;
    const char* name;
};
// Exact-case aliases. A bare "Ascend910B" is the first-generation 910 family, not an A2 part, which
// is why this table is case-sensitive while full canonical names are not.
const Alias kAliases[] = {
    {"ascend910b", "Ascend910B1"}, {"ascend910b1", "Ascend910B1"}, {"910B1", "Ascend910B1"},
    {"Ascend910B", "Ascend910A"},  {"Ascend910ProA", "Ascend910A"}, {"Ascend910ProB", "Ascend910A"},
    {"Ascend910PremiumA", "Ascend910A"}, {"ascend910", "Ascend910A"},
    {"Ascend310P1", "Ascend310P3"}, {"ascend310p", "Ascend310P3"},
};

bool SameIgnoringCase(const std::string& a, const char* b) {
    if (a.size() != std::strlen(b)) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

}  // namespace

const SocInfo* FindSoc(const char* nameOrAlias) {
    if (nameOrAlias == nullptr) return nullptr;
    const std::string name = nameOrAlias;
    for (const auto& s : kSocs)
        if (name == s.name) return &s;
    for (const auto& a : kAliases)
        if (name == a.alias) return FindSoc(a.name);
    for (const auto& s : kSocs)
        if (SameIgnoringCase(name, s.name)) return &s;
    return nullptr;
}

const char* KnownSocNameList() {
    static const std::string names = [] {
        std::string out;
        for (const auto& s : kSocs) out += (out.empty() ? "" : ", ") + std::string(s.name);
        return out;
    }();
    return names.c_str();
}

namespace {
thread_local const SocInfo* tSocOverride = nullptr;
}  // namespace

void SetThreadSoc(const SocInfo* soc) { tSocOverride = soc; }

const SocInfo& DefaultSoc() {
    if (tSocOverride != nullptr) return *tSocOverride;
    const char* env = std::getenv("OPKIT_SOC");
    if (env == nullptr || *env == '\0') return kSocs[0];
    const SocInfo* s = FindSoc(env);
    if (s == nullptr)
        throw KernelError(std::string("OPKIT_SOC: '") + env + "' is not a known SoC (known: " + KnownSocNames() + ")");
    return *s;
}

const char* MemName(Mem m) {
    static const char* names[] = {"UB", "L1", "L0A", "L0B", "L0C", "BT", "FB"};
    return m < Mem::COUNT ? names[static_cast<int>(m)] : "GM";
}

}  // namespace rt
}  // namespace opkit
