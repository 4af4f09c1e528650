// opkit: the buffers a TPipe gave out, UB's scratch area, and 0-byte buffers.
//
// Note [UB scratch area]: CANN's kernel API keeps no UB of its own. Instead, some of its library
// code borrows the top TMP_UB_SIZE = 8 KiB of UB for a moment, at TMP_UB_OFFSET (asc-devkit
// impl/basic_api/utils/kernel_utils_constants.h: 184 KiB of 192 on arch 2201, 248 KiB of 256 on
// arch 1001 and 2002), through AscendCUtils::GetTemporaryBufferAddr (impl/basic_api/
// kernel_utils_base.h). TPipe still gives out the whole UB (kernel_tpipe_impl.h checks against
// TOTAL_UB_SIZE), and production kernels do, so a user buffer may overlap the area; it is
// overwritten only when one of those API paths runs while the buffer holds data. Which API paths
// write it, per arch (asc-devkit impl/basic_api/dav_*/):
//   2201 (910B), dav_c220: Select with VSEL_TENSOR_SCALAR_MODE duplicates the scalar into 32
//        elements of T there (kernel_operator_vec_cmpsel_impl.h, VselImpl with a scalar src1 and
//        VselIntrinsicsImplPre(T)); Select with VSEL_TENSOR_TENSOR_MODE duplicates the selMask's UB
//        address into 32 uint32 there (same file, VselImpl/VselIntrinsicsImplPre on a tensor
//        src1); AddDeqRelu uses up to 8 KiB (kernel_operator_vec_binary_impl.h,
//        GetAddDeqReluParamCal). CreateVecIndex writes the first block with scalar SetValue
//        (kernel_operator_vec_createvecindex_impl.h) and masks in counter mode use no scratch here.
//   2002 (310P), dav_m200: the same two Select modes (kernel_operator_vec_cmpsel_impl.h), Brcb
//        (kernel_operator_vec_brcb_impl.h) and DataCopy with Nd2NzParams
//        (kernel_operator_data_copy_impl.h).
//   1001 (910A), dav_c100: DataCopy with Nd2NzParams only (kernel_operator_data_copy_impl.h);
//        Select there supports VSEL_CMPMASK_SPR only.
//   Other archs (dav_l300, dav_l311, dav_3510) also stage mask words of counter mode, scalar
//   compares and gathers there; opkit models none of those SoCs.
// Of these, opkit implements Select's two modes (runtime/src/vec_cast.cpp, VecSelect) on 910B and
// 310P: it writes the same bytes at the same offset, in cpu mode too (so a kernel sees the
// corruption the NPU would give it), and npu_simulator reports `ub-scratch` when a buffer that
// holds data overlaps the bytes written: a TBuf of the live TPipe, or a queue buffer between its
// AllocTensor and FreeTensor. opkit's DataCopy Nd2Nz exists only for 910B, and it has no
// AddDeqRelu or Brcb. Nothing is reported for a buffer that merely covers the area.
//
// Note [Zero-length buffers]: pipe.InitBuffer(buf, 0) is legal on the NPU (only CANN's CPU-debug
// build asserts len > 0, through ASCENDC_DEBUG_ASSERT in kernel_tpipe_impl.h, which NPU builds
// compile away) and production kernels write it for buffers of paths they do not take. Such a
// buffer starts where the next one does, so writing it overwrites that one. opkit gives it out
// the same way (cpu mode does what the NPU does); npu_simulator reports `empty-buffer` when a
// tensor of 0 elements at a 0-byte buffer's address is used for data by DataCopy, a count-based
// vector instruction or LocalTensor's scalar access.
#include <execinfo.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "core_state.h"
#include "kernel_operator.h"
#include "sim.h"

namespace opkit {
namespace rt {

void RememberBuffer(Mem m, uint32_t offset, uint32_t bytes, const AscendC::detail::QueBase* que, int index) {
    // Only UB's buffers can overlap the scratch area, and WriteUbScratch looks at no others: a Matmul
    // object's L1/L0 queues (seven per object, on every core of a launch) are not worth a record.
    if (m != Mem::UB) return;
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr) return;
    PipeBuffer b;
    b.mem = m;
    b.offset = offset;
    b.bytes = bytes;
    b.que = que;
    b.index = index;
    if (c->model != nullptr) b.depth = backtrace(b.frames, static_cast<int>(sizeof(b.frames) / sizeof(b.frames[0])));
    if (c->buffers.capacity() == 0) c->buffers.reserve(16);  // a kernel's queues and buffers: no regrowth
    c->buffers.push_back(b);
}

void ForgetQueue(const AscendC::detail::QueBase* que) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr) return;
    auto& v = c->buffers;
    v.erase(std::remove_if(v.begin(), v.end(), [que](const PipeBuffer& b) { return b.que == que; }), v.end());
}

namespace {

// "the TBuf of 196608 bytes at UB offset 0 (pipe.InitBuffer at add.cpp:40)"
std::string Describe(const PipeBuffer& b) {
    std::string what = b.que == nullptr ? "the TBuf" : "buffer " + std::to_string(b.index) + " of the TQue";
    what += " of " + std::to_string(b.bytes) + " bytes at " + MemName(b.mem) + " offset " + std::to_string(b.offset);
    std::string site;
    for (int i = 0; i < b.depth && site.empty(); ++i) site = sim::KernelSite(b.frames[i]);
    return what + (site.empty() ? "" : " (pipe.InitBuffer at " + site + ")");
}

bool HoldsData(const PipeBuffer& b) { return b.que == nullptr || b.que->InUse(b.index); }

}  // namespace

void WriteUbScratch(const void* data, uint32_t bytes, const char* api, const void* ret) {
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core] (core.cpp)
    CoreState& c = Core();
    const uint32_t ub = c.memSize[static_cast<int>(Mem::UB)];
    const uint32_t offset = ub - c.soc->ubScratchBytes;  // TMP_UB_OFFSET
    if (c.model != nullptr) {
        for (const PipeBuffer& b : c.buffers) {
            if (b.mem != Mem::UB || !HoldsData(b) || b.offset + b.bytes <= offset || b.offset >= offset + bytes) continue;
            Finding("ub-scratch",
                    std::string(api) + " writes " + std::to_string(bytes) + " bytes of UB's scratch area at offset " +
                        std::to_string(offset) + " (TMP_UB_OFFSET on " + c.soc->name + ") while " + Describe(b) +
                        " overlaps it and holds data; on the NPU that buffer's bytes " +
                        std::to_string(std::max(offset, b.offset)) + ".." +
                        std::to_string(std::min(offset + bytes, b.offset + b.bytes) - 1) +
                        " are overwritten. Keep buffers that hold data across this call below offset " +
                        std::to_string(offset) + " (free a queue buffer before the call; a TBuf holds data until "
                        "the TPipe is reset)",
                    ret);
            break;  // one finding per call: the first buffer hit names the problem
        }
        ModelAccess(c.mem[static_cast<int>(Mem::UB)] + offset, bytes, true, api, ret, sim::V);
    }
    std::memcpy(c.mem[static_cast<int>(Mem::UB)] + offset, data, bytes);
}

}  // namespace rt
}  // namespace opkit

namespace AscendC {
namespace detail {

void EmptyBufferUse(const void* addr, TPosition pos, const char* op) {
    auto* c = opkit::rt::CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr || addr == nullptr) return;
    const opkit::rt::Mem m = MemOf(pos);
    const uint8_t* base = opkit::rt::MemBase(m);
    const auto offset = static_cast<const uint8_t*>(addr) - base;
    for (const auto& b : c->buffers)
        if (b.mem == m && b.bytes == 0 && int64_t(b.offset) == offset) {
            opkit::rt::Finding("empty-buffer",
                               std::string(op) + " uses a tensor of " + opkit::rt::Describe(b) +
                                   " for data; a 0-byte buffer starts where the next buffer does, so on the NPU this "
                                   "reads or overwrites that buffer. Give the buffer its length in pipe.InitBuffer, or "
                                   "do not use it on this path",
                               __builtin_return_address(0));
            return;
        }
}

}  // namespace detail
}  // namespace AscendC
