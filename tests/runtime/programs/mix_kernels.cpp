// mix_kernels: MIX launches (1 cube core + 2 vector cores per block) and cross-core synchronisation
// as CPU-debug programs.
//
//   leakyrelu (blockDim B, MIX 1:2): block b computes Y[b] = LeakyRelu(A[b] x W) for its 32 rows:
//     AIC:  GM A[b] (32 x 32 fp16) ─Nd2Nz─> A1 ─LoadData─> A2 ─┐
//           GM W (32 x 32 fp16)    ─Nd2Nz─> B1 ─LoadData─> B2 ─┴ Mmad ─> CO1 ─Fixpipe─> GM workspace[b] (32 x 32 fp32)
//           then CrossCoreSetFlag<2, PIPE_FIX>(FLAG)
//     AIV s (s = 0, 1): CrossCoreWaitFlag(FLAG), then its 16 rows of workspace[b] ─> UB ─LeakyRelu(0.1)─> GM Y
//   leakyrelu_noflag: the same without the flag (an npu_simulator finding: the AIVs read unordered GM)
//   runoncube: the AIVs ask their AIC to run the matmul (RunOnCube), the AIC runs ServeCube()
//   identity (blockDim B): each core writes kind, GetBlockIdx, GetBlockNum, GetSubBlockIdx, GetTaskRation
//   syncall / syncall_soft (AIV_MODE, blockDim B): out[i] = sum of all of x, each core summing its
//     64-float slice into a 32-byte workspace slot, SyncAll, then adding every slot (two phases)
//   mixsync (MIX, blockDim B): SyncAll<false> between every AIC and AIV (mixsync_aiv: refused in AIV_MODE)
//   deadlock: the AIVs wait for a flag their AIC never sets; syncall_some: core 3 skips SyncAll;
//   syncall_too_many: SyncAll with blockDim 49 on 48 vector cores; overflow: 16 sets, no wait
//
// Usage: mix_kernels CASE DIR BLOCKDIM   (DIR written +DIR: leakyrelu launches in AIV_MODE and its
//        KERNEL_TASK_TYPE_DEFAULT must make it MIX; leakyrelu reads DIR/a.bin, DIR/w.bin, writes DIR/y.bin;
//        identity writes DIR/id.bin; syncall reads DIR/x.bin, writes DIR/y.bin)
// Tested by: pytest tests/runtime/test_mix.py
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {
constexpr uint32_t ROWS = 32, K = 32, N = 32, FLAG = 3;

// The cube side: workspace = A x W for one block's 32 rows.
__aicore__ inline void CubePart(GM_ADDR a, GM_ADDR w, GM_ADDR ws) {
    GlobalTensor<half> aGm, wGm;
    GlobalTensor<float> wsGm;
    aGm.SetGlobalBuffer((__gm__ half*)a + GetBlockIdx() * ROWS * K, ROWS * K);
    wGm.SetGlobalBuffer((__gm__ half*)w, K * N);
    wsGm.SetGlobalBuffer((__gm__ float*)ws + GetBlockIdx() * ROWS * N, ROWS * N);
    TPipe pipe;
    TQue<QuePosition::A1, 1> qa1;
    TQue<QuePosition::B1, 1> qb1;
    TQue<QuePosition::A2, 1> qa2;
    TQue<QuePosition::B2, 1> qb2;
    TQue<QuePosition::CO1, 1> qc;
    pipe.InitBuffer(qa1, 1, ROWS * K * 2);
    pipe.InitBuffer(qb1, 1, K * N * 2);
    pipe.InitBuffer(qa2, 1, ROWS * K * 2);
    pipe.InitBuffer(qb2, 1, K * N * 2);
    pipe.InitBuffer(qc, 1, ROWS * N * 4);
    const uint16_t mb = ROWS / 16, kb = K / 16, nb = N / 16;
    LocalTensor<half> a1 = qa1.AllocTensor<half>();
    DataCopy(a1, aGm, Nd2NzParams(1, ROWS, K, 0, K, ROWS, 1, 0));
    qa1.EnQue(a1);
    LocalTensor<half> b1 = qb1.AllocTensor<half>();
    DataCopy(b1, wGm, Nd2NzParams(1, K, N, 0, N, K, 1, 0));
    qb1.EnQue(b1);
    a1 = qa1.DeQue<half>();
    b1 = qb1.DeQue<half>();
    LocalTensor<half> a2 = qa2.AllocTensor<half>();
    for (uint16_t i = 0; i < mb; ++i) LoadData(a2[i * kb * 256], a1, LoadData2DParams(i, uint8_t(kb), mb, 0, 0, false, 0));
    qa2.EnQue(a2);
    LocalTensor<half> b2 = qb2.AllocTensor<half>();
    for (uint16_t j = 0; j < kb; ++j) LoadData(b2[j * nb * 256], b1, LoadData2DParams(j, uint8_t(nb), kb, 0, 0, true, 0));
    qb2.EnQue(b2);
    a2 = qa2.DeQue<half>();
    b2 = qb2.DeQue<half>();
    LocalTensor<float> c = qc.AllocTensor<float>();
    Mmad(c, a2, b2, MmadParams(ROWS, N, K, 0, false, true));
    qc.EnQue(c);
    qa1.FreeTensor(a1);
    qb1.FreeTensor(b1);
    qa2.FreeTensor(a2);
    qb2.FreeTensor(b2);
    c = qc.DeQue<float>();
    FixpipeParamsV220 params;
    params.nSize = N;
    params.mSize = ROWS;
    params.srcStride = ROWS;
    params.dstStride = N;
    Fixpipe<float, float, CFG_ROW_MAJOR>(wsGm, c, params);
    qc.FreeTensor(c);
}

// The vector side: this AIV's 16 rows of its block's workspace -> LeakyRelu -> y.
__aicore__ inline void VectorPart(GM_ADDR ws, GM_ADDR y) {
    const uint32_t rows = ROWS / 2, count = rows * N;
    GlobalTensor<float> wsGm, yGm;
    wsGm.SetGlobalBuffer((__gm__ float*)ws + GetBlockIdx() * count, count);  // GetBlockIdx = 2 * block + sub
    yGm.SetGlobalBuffer((__gm__ float*)y + GetBlockIdx() * count, count);
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> qin;
    TQue<QuePosition::VECOUT, 1> qout;
    pipe.InitBuffer(qin, 1, count * 4);
    pipe.InitBuffer(qout, 1, count * 4);
    LocalTensor<float> in = qin.AllocTensor<float>();
    DataCopy(in, wsGm, count);
    qin.EnQue(in);
    in = qin.DeQue<float>();
    LocalTensor<float> out = qout.AllocTensor<float>();
    LeakyRelu(out, in, 0.1f, int32_t(count));
    qout.EnQue(out);
    qin.FreeTensor(in);
    out = qout.DeQue<float>();
    DataCopy(yGm, out, count);
    qout.FreeTensor(out);
}
}  // namespace

extern "C" __global__ __aicore__ void mix_leakyrelu(GM_ADDR a, GM_ADDR w, GM_ADDR ws, GM_ADDR y, int useFlag) {
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);
    if ASCEND_IS_AIC {
        CubePart(a, w, ws);
        if (useFlag) CrossCoreSetFlag<2, PIPE_FIX>(FLAG);
    }
    if ASCEND_IS_AIV {
        if (useFlag) CrossCoreWaitFlag(FLAG);
        VectorPart(ws, y);
    }
}

// The AIVs drive: each asks its AIC to run the block's matmul (the first one does; RunOnCube is
// ordered, so the second sees the workspace written), then post-processes its half.
extern "C" __global__ __aicore__ void mix_runoncube(GM_ADDR a, GM_ADDR w, GM_ADDR ws, GM_ADDR y) {
    if ASCEND_IS_AIC {
        opkit::rt::ServeCube();
        return;
    }
    if (GetSubBlockIdx() == 0) {
        const int32_t aivIdx = int32_t(GetBlockIdx());
        opkit::rt::RunOnCube([&] {
            // on the cube core: its GetBlockIdx is the block index
            if (GetBlockIdx() * 2 != aivIdx || !opkit::rt::IsCubeCore()) opkit::rt::Fail("RunOnCube ran off the AIC");
            CubePart(a, w, ws);
        });
        CrossCoreSetFlag<1, PIPE_MTE3>(FLAG);  // mode 1: both AIVs of the block
    } else {
        CrossCoreSetFlag<1, PIPE_MTE3>(FLAG);
    }
    CrossCoreWaitFlag<1>(FLAG);
    VectorPart(ws, y);
}

extern "C" __global__ __aicore__ void mix_identity(GM_ADDR out) {
    // slot per simulated core: block * 3 + (AIC: 0, AIV s: 1 + s); 5 int32 each
    const int64_t block = ASCEND_IS_AIC ? GetBlockIdx() : GetBlockIdx() / 2;
    const int64_t slot = block * 3 + (ASCEND_IS_AIC ? 0 : 1 + GetSubBlockIdx());
    int32_t* o = (int32_t*)out + slot * 5;
    o[0] = ASCEND_IS_AIC ? 1 : (ASCEND_IS_AIV ? 2 : 0);
    o[1] = int32_t(GetBlockIdx());
    o[2] = int32_t(GetBlockNum());
    o[3] = int32_t(GetSubBlockIdx());
    o[4] = int32_t(GetTaskRation());
}

// Two-phase sum: phase 1 each core's 64 floats -> its 32-byte slot; SyncAll; phase 2 add the slots.
extern "C" __global__ __aicore__ void syncall_sum(GM_ADDR x, GM_ADDR ws, GM_ADDR sync, GM_ADDR y, int soft, int skip) {
    const int32_t n = int32_t(GetBlockNum()), me = int32_t(GetBlockIdx());
    GlobalTensor<float> xGm, wsGm, yGm;
    GlobalTensor<int32_t> syncGm;
    xGm.SetGlobalBuffer((__gm__ float*)x + me * 64, 64);
    wsGm.SetGlobalBuffer((__gm__ float*)ws, n * 8);
    yGm.SetGlobalBuffer((__gm__ float*)y + me * 8, 8);
    syncGm.SetGlobalBuffer((__gm__ int32_t*)sync, n * 8);
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf, work, all, syncUb;
    pipe.InitBuffer(buf, 64 * 4);
    pipe.InitBuffer(work, 64 * 4);
    pipe.InitBuffer(all, n * 32);
    pipe.InitBuffer(syncUb, n * 32);
    LocalTensor<float> v = buf.Get<float>(), w = work.Get<float>(), a = all.Get<float>();
    DataCopy(v, xGm, 64);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    ReduceSum(w, v, v, 64);  // w[0] = sum of the slice
    SetFlag<HardEvent::V_S>(EVENT_ID0);
    WaitFlag<HardEvent::V_S>(EVENT_ID0);
    Duplicate(v, w.GetValue(0), 8);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(wsGm[me * 8], v, 8);
    if (skip && me == 3) return;  // a broken kernel: one core leaves without SyncAll
    if (soft) SyncAll(syncGm, syncUb.Get<int32_t>());
    else SyncAll();
    DataCopy(a, wsGm, n * 8);
    SetFlag<HardEvent::MTE2_S>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_S>(EVENT_ID0);
    float total = 0;
    for (int32_t i = 0; i < n; ++i) total += a.GetValue(i * 8);
    SetFlag<HardEvent::S_V>(EVENT_ID0);
    WaitFlag<HardEvent::S_V>(EVENT_ID0);
    Duplicate(v, total, 8);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, v, 8);
}

// SyncAll<false> in a MIX launch: each AIC publishes block + 1, then (after the sync of every AIC
// and AIV) each AIV reads the next block's value: res[GetBlockIdx()] = (block + 1) % B + 1.
extern "C" __global__ __aicore__ void mix_syncall(GM_ADDR pub, GM_ADDR res) {
    const int64_t blocks = GetBlockNum();
    GlobalTensor<int32_t> p, r;
    p.SetGlobalBuffer((__gm__ int32_t*)pub, blocks * 8);
    r.SetGlobalBuffer((__gm__ int32_t*)res, blocks * 2);
    if ASCEND_IS_AIC {
        p.SetValue(GetBlockIdx() * 8, int32_t(GetBlockIdx() + 1));
    }
    SyncAll<false>();
    if ASCEND_IS_AIV {
        const int64_t block = GetBlockIdx() / 2;
        r.SetValue(GetBlockIdx(), p.GetValue(((block + 1) % blocks) * 8));
    }
}

extern "C" __global__ __aicore__ void mix_deadlock(GM_ADDR unused) {
    if ASCEND_IS_AIV {
        CrossCoreWaitFlag(5);  // the AIC never sets flag 5
    }
}

extern "C" __global__ __aicore__ void mix_overflow(GM_ADDR unused) {
    if ASCEND_IS_AIC {
        for (int i = 0; i < 16; ++i) CrossCoreSetFlag<2, PIPE_FIX>(7);  // nobody waits: the counter overflows
    }
}

int main(int argc, char* argv[]) {
    if (argc < 4) return 2;
    const char* name = argv[1];
    const char* dir = argv[2][0] == '+' ? argv[2] + 1 : argv[2];
    const bool declared = argv[2][0] == '+';
    const uint32_t dim = uint32_t(std::atoi(argv[3]));
    if (!std::strcmp(name, "leakyrelu") || !std::strcmp(name, "leakyrelu_noflag") || !std::strcmp(name, "runoncube")) {
        const size_t aBytes = size_t(dim) * ROWS * K * 2, wBytes = K * N * 2, yBytes = size_t(dim) * ROWS * N * 4;
        uint8_t* a = (uint8_t*)GmAlloc(aBytes);
        uint8_t* w = (uint8_t*)GmAlloc(wBytes);
        uint8_t* ws = (uint8_t*)GmAlloc(yBytes);
        uint8_t* y = (uint8_t*)GmAlloc(yBytes);
        ReadBin(dir, "a.bin", a, aBytes);
        ReadBin(dir, "w.bin", w, wBytes);
        SetKernelMode(KernelMode::MIX_MODE);
        if (declared) SetKernelMode(KernelMode::AIV_MODE);  // "+DIR": leave it to KERNEL_TASK_TYPE_DEFAULT
        if (!std::strcmp(name, "runoncube")) ICPU_RUN_KF(mix_runoncube, dim, a, w, ws, y);
        else ICPU_RUN_KF(mix_leakyrelu, dim, a, w, ws, y, std::strcmp(name, "leakyrelu") == 0 ? 1 : 0);
        WriteBin(dir, "y.bin", y, yBytes);
        return 0;
    }
    if (!std::strcmp(name, "identity")) {
        const size_t bytes = size_t(dim) * 3 * 5 * 4;
        uint8_t* out = (uint8_t*)GmAlloc(bytes);
        std::memset(out, 0xFF, bytes);
        SetKernelMode(KernelMode::MIX_MODE);
        ICPU_RUN_KF(mix_identity, dim, out);
        WriteBin(dir, "id.bin", out, bytes);
        return 0;
    }
    if (!std::strncmp(name, "syncall", 7)) {
        const bool soft = !std::strcmp(name, "syncall_soft"), skip = !std::strcmp(name, "syncall_some");
        uint8_t* x = (uint8_t*)GmAlloc(size_t(dim) * 64 * 4);
        uint8_t* ws = (uint8_t*)GmAlloc(size_t(dim) * 32);
        uint8_t* sync = (uint8_t*)GmAlloc(size_t(dim) * 32);
        uint8_t* y = (uint8_t*)GmAlloc(size_t(dim) * 32);
        std::memset(sync, 0, size_t(dim) * 32);  // the software SyncAll needs a zeroed workspace
        if (!std::strcmp(name, "syncall_too_many")) std::memset(x, 0, size_t(dim) * 64 * 4);
        else ReadBin(dir, "x.bin", x, size_t(dim) * 64 * 4);
        SetKernelMode(KernelMode::AIV_MODE);
        ICPU_RUN_KF(syncall_sum, dim, x, ws, sync, y, soft ? 1 : 0, skip ? 1 : 0);
        WriteBin(dir, "y.bin", y, size_t(dim) * 32);
        return 0;
    }
    if (!std::strncmp(name, "mixsync", 7)) {  // mixsync (MIX_MODE) or mixsync_aiv (AIV_MODE: refused)
        uint8_t* pub = (uint8_t*)GmAlloc(size_t(dim) * 32);
        uint8_t* res = (uint8_t*)GmAlloc(size_t(dim) * 8);
        SetKernelMode(std::strcmp(name, "mixsync") == 0 ? KernelMode::MIX_MODE : KernelMode::AIV_MODE);
        ICPU_RUN_KF(mix_syncall, dim, pub, res);
        WriteBin(dir, "res.bin", res, size_t(dim) * 8);
        return 0;
    }
    uint8_t* unused = (uint8_t*)GmAlloc(32);
    SetKernelMode(KernelMode::MIX_MODE);
    if (!std::strcmp(name, "deadlock")) ICPU_RUN_KF(mix_deadlock, dim, unused);
    else if (!std::strcmp(name, "overflow")) ICPU_RUN_KF(mix_overflow, dim, unused);
    else return UnknownCase(argv[0], name);
    return 0;
}
