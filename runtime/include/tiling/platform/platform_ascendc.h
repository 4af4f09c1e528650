// opkit's tiling/platform/platform_ascendc.h: PlatformAscendC answers from opkit's SoC table.
#pragma once

#include "opkit/host/host_api.h"

namespace platform_ascendc {

enum class CoreMemType { L0_A = 0, L0_B, L0_C, L1, L2, UB, HBM, RESERVED };
enum class SocVersion { ASCEND910 = 0, ASCEND910B, ASCEND310P, ASCEND310B, ASCEND910_93, RESERVED_VERSION };

class PlatformAscendC {
public:
    explicit PlatformAscendC(fe::PlatFormInfos* info) : soc_(info != nullptr ? info->Soc() : nullptr) {}
    // A split-architecture SoC (910B) has separate cube (AIC) and vector (AIV) cores; a coupled one
    // has one kind of core that does both, which answers for each.
    uint32_t GetCoreNum() const { return Soc().splitArch ? Soc().aivCores : Soc().aicCores; }
    uint32_t GetCoreNumAic() const { return Soc().aicCores; }
    uint32_t GetCoreNumAiv() const { return Soc().aivCores; }
    void GetCoreMemSize(CoreMemType type, uint64_t& size) const;
    void GetCoreMemBw(CoreMemType type, uint64_t& bwSize) const;
    SocVersion GetSocVersion() const;
    uint32_t CalcTschBlockDim(uint32_t sliceNum, uint32_t aicCoreNum, uint32_t aivCoreNum) const;
    // The system workspace that library APIs (matmul, SyncAll) reserve in front of the user's.
    uint32_t GetLibApiWorkSpaceSize() const { return static_cast<uint32_t>(opkit::rt::SysWorkspaceBytes()); }
    // opkit: the SoC table entry this platform answers from (the matmul tiling reads its memories).
    const opkit::rt::SocInfo& OpkitSoc() const { return Soc(); }

private:
    const opkit::rt::SocInfo& Soc() const;
    const opkit::rt::SocInfo* soc_;
};

}  // namespace platform_ascendc
