// opkit: the Matmul class template, on the basic cube API.
//
// Note [Matmul data path] (one Iterate = one baseM x baseN block of C; K walked in baseK steps):
//
//   GM A (ND) -Nd2Nz-> A1 tile (L1, NZ; stepM*baseM x stepKa*baseK, depthA1/(stepM*stepKa) buffers)
//        -LoadData 2D-> A2 (L0A, Zz; baseM x baseK, dbL0A buffers) --+
//   GM B (ND) -Nd2Nz-> B1 tile (L1, NZ; stepKb*baseK x stepN*baseN)   +-- Mmad (first K step: from 0,
//        -LoadData 2D-> B2 (L0B, Zn; baseK x baseN, dbL0B buffers) --+   or from the bias table) -> CO1
//   GM bias -Nd2Nz-> C1 (L1 row) -DataCopy-> C2 (bias table, float) --/   (L0C, NZ, dbL0C buffers)
//   CO1 -Fixpipe (NZ->ND, cast, atomic)-> GM C, or -> GM workspace -DataCopy-> UB (VECIN/VECOUT)
//
// An A1/B1 tile stays in L1 while the next block needs the same tile (stepM/stepN reuse when K is
// loaded whole). Transposed inputs: A^T (K x M) and B (K x N) of 16-bit types come to L1 as NZ of
// the stored matrix and are transposed fractal by fractal by LoadData (ifTranspose); B^T (N x K) and
// A (M x K) need no transposition. A block of one row (M tail 1) runs the GEMV form of Mmad, whose A
// is a plain row in L0A: it is copied from GM as a one-row NZ (a plain row) (GEMV.md).
// Queues couple the pipes: A1/B1/C1 MTE2->MTE1, A2/B2/C2 MTE1->M, CO1 M->FIX.
//
// Note [The cube funnel]: every cube-side step of a call runs through OnCube(); the vector-side
// part (copying a GM-workspace block into UB) runs outside it. On an AIV of a MIX launch OnCube is
// opkit::rt::RunOnCube: the block's AIC runs the step (its pipes, its model, its L1/L0), as CANN's
// AIC runs the cube instructions of a Matmul message from an AIV; elsewhere (AIC_MODE, the AIC
// itself, MatmulImpl on the AIC) it runs inline. IterateAll is one request, as it is one message.
//
// Note [Matmul clients on the AIC]: each AIV's Matmul object is a client of its block's AIC, and
// its cube-side state is its own: the iteration state and the A1/B1 tiles it holds in L1 between
// calls. Its buffers are carved from the AIC's live TPipe (the one the AIC passed to its
// REGIST_MATMUL_OBJ) when the AIV's Init reaches the AIC, as CANN's AIC server initialises one
// Matmul instance per AIV sub-block on its TPipe (kernel_kfc.h, InitObjAux). The clients take
// turns in the AIC's memories: each client's buffers in L1, L0A/L0B/L0C and the bias table start
// at the same place (after the AIC's own buffers), because CANN's tiler plans a MIX kernel's
// tiling with the whole L1 (matmul_tiling_algorithm.cpp, checked on the official MatmulLeakyRelu
// sample: 459 KiB of 512 KiB for each of its two clients), so two clients' tiles cannot both
// stay. The AIC serves one request at a time, so a request never meets another's data; a client
// whose L1 tiles another client's request overwrote since its own last request reloads them
// (ClaimCubeL1). L0 holds nothing between requests: an AIV's Iterate only advances its position,
// and the request that takes the block out (GetTensorC, or IterateAll as a whole) computes it and
// moves it out of L0C. An assumption where CANN's kernel side does not say: whether its instances
// share L1 this way (their tilings could not fit side by side).
#pragma once

#include <functional>
#include <type_traits>

#include "lib/matrix/matmul/matmul_check.h"

namespace matmul {
namespace detail {
// Note [Matmul on a MIX launch] (lib/matmul_intf.h): the AIC of a MIX launch (where the vector
// side does nothing, Note [Vector work on a MIX launch's cube core]) serves its AIVs.
inline bool IsMixCubeSide() { return opkit::rt::VectorMuted(); }
// Note [Kernel type from the instructions] (xcore_api.cpp): a Matmul object is a client of the AIC on
// the AIVs, so a kernel with one runs on both kinds of core (MIX 1:2), unless ASCENDC_CUBE_ONLY puts
// the whole Matmul on the cube core.
inline void InferMatmulTaskType() {
#ifdef ASCENDC_CUBE_ONLY
    opkit::rt::InferTaskType(KERNEL_TYPE_AIC_ONLY);
#else
    opkit::rt::InferTaskType(KERNEL_TYPE_MIX_AIC_1_2);
#endif
}
inline void ServeCubeSide() { opkit::rt::ServeCube(); }
}  // namespace detail

// soc: 910B
template <class A_TYPE, class B_TYPE, class C_TYPE, class BIAS_TYPE = C_TYPE, const auto& MM_CFG = CFG_NORM,
          class MM_CB = MatmulCallBackFunc<nullptr, nullptr, nullptr>, class... POLICY>
class Matmul {
    using SrcA = typename A_TYPE::T;
    using SrcB = typename B_TYPE::T;
    using DstT = typename C_TYPE::T;
    using BiasT = typename BIAS_TYPE::T;
    using L0cT = typename std::conditional<std::is_same<SrcA, int8_t>::value, int32_t, float>::type;
    template <typename T>
    using LT = AscendC::LocalTensor<T>;
    template <typename T>
    using GT = AscendC::GlobalTensor<T>;
    static constexpr TPosition kCPos = C_TYPE::pos;

public:
    Matmul() = default;
    Matmul(const Matmul&) = delete;

    // ---- set-up -----------------------------------------------------------------------------
    __aicore__ inline void Init(const TCubeTiling* tiling, AscendC::TPipe* tpipe = nullptr) {
        detail::InferMatmulTaskType();
        if (tpipe != nullptr) pipe_ = tpipe;
        if (pipe_ == nullptr) detail::Refuse("Init", "no TPipe: pass it to REGIST_MATMUL_OBJ or Init(&tiling, &pipe)");
        if (tiling == nullptr) detail::Refuse("Init", "the tiling pointer is null");
        static_assert(!MM_CB::kHasCallbacks, "opkit's Matmul does not implement user callbacks (MatmulCallBackFunc)");
        CheckPositions();
        detail::CheckTypes(Types());
        detail::CheckTiling(*tiling, Types());
        t_ = *tiling;
        singleM_ = t_.singleCoreM, singleN_ = t_.singleCoreN, singleK_ = t_.singleCoreK;
        orgM_ = t_.M, orgN_ = t_.N, orgKa_ = t_.Ka, orgKb_ = t_.Kb, orgKc_ = 0;
        remote_ = opkit::rt::CubeIsRemote();
        if (!buffersReady_) OnCube([&] { InitBuffers(); });
        buffersReady_ = true;
        inited_ = true;
    }
    __aicore__ inline void SetRegist(AscendC::TPipe* pipe, GM_ADDR workspace) {
        detail::InferMatmulTaskType();
        pipe_ = pipe;
        sysWs_ = workspace;
    }
    __aicore__ inline void SetTensorA(const GT<SrcA>& gm, bool isTransposeA = false) {
        if (isTransposeA && !A_TYPE::isTrans)
            detail::Refuse("SetTensorA", "isTransposeA = true, but A's MatmulType has ISTRANS = false (set it true)");
        if (isTransposeA && sizeof(SrcA) != 2)
            detail::Refuse("SetTensorA", "a transposed A of 4- or 1-byte type needs LoadDataWithTranspose, which opkit "
                                         "does not implement (transposed A works for half and bfloat16)");
        aGm_ = gm, transA_ = isTransposeA, aSet_ = true;
        Restart();
    }
    __aicore__ inline void SetTensorB(const GT<SrcB>& gm, bool isTransposeB = false) {
        if (isTransposeB && !B_TYPE::isTrans)
            detail::Refuse("SetTensorB", "isTransposeB = true, but B's MatmulType has ISTRANS = false (set it true)");
        if (!isTransposeB && sizeof(SrcB) != 2)
            detail::Refuse("SetTensorB", "B (K x N) of 4- or 1-byte type needs LoadDataWithTranspose, which opkit does "
                                         "not implement; pass B transposed (N x K) with isTransposeB = true");
        bGm_ = gm, transB_ = isTransposeB, bSet_ = true;
        Restart();
    }
    template <typename T>
    __aicore__ inline void SetTensorA(const LT<T>&, bool = false) {
        detail::Refuse("SetTensorA", "A in a LocalTensor (TSCM/VECOUT) is not implemented by opkit; pass a GlobalTensor");
    }
    template <typename T>
    __aicore__ inline void SetTensorB(const LT<T>&, bool = false) {
        detail::Refuse("SetTensorB", "B in a LocalTensor (TSCM/VECOUT) is not implemented by opkit; pass a GlobalTensor");
    }
    __aicore__ inline void SetBias(const GT<BiasT>& gm) {
        RequireInit("SetBias");
        if (t_.isBias != 1) detail::Refuse("SetBias", "the tiling has isBias 0; the host tiling must enable the bias");
        biasGm_ = gm, biasOn_ = true;
    }
    __aicore__ inline void DisableBias() { biasOn_ = false; }
    __aicore__ inline void ClearBias() { biasOn_ = false; }
    __aicore__ inline void SetTail(int tailM = -1, int tailN = -1, int tailK = -1) {
        SetShape("SetTail", tailM, tailN, tailK);
    }
    __aicore__ inline void SetSingleShape(int singleM, int singleN, int singleK) {
        SetShape("SetSingleShape", singleM, singleN, singleK);
    }
    __aicore__ inline void SetOrgShape(int orgM, int orgN, int orgK) { SetOrgShape(orgM, orgN, orgK, orgK, 0); }
    __aicore__ inline void SetOrgShape(int orgM, int orgN, int orgKa, int orgKb, int orgKc = 0) {
        RequireInit("SetOrgShape");
        if (orgM <= 0 || orgN <= 0 || orgKa <= 0 || orgKb <= 0 || orgKc < 0)
            detail::Refuse("SetOrgShape", "orgM " + std::to_string(orgM) + ", orgN " + std::to_string(orgN) + ", orgKa " +
                                              std::to_string(orgKa) + ", orgKb " + std::to_string(orgKb) + " must be > 0");
        orgM_ = orgM, orgN_ = orgN, orgKa_ = orgKa, orgKb_ = orgKb, orgKc_ = orgKc;
        Restart();
    }
    template <typename T>
    __aicore__ inline void SetWorkspace(GT<T>& addr) {
        ws_ = reinterpret_cast<GM_ADDR>(addr.addr_), wsBytes_ = addr.GetSize() * sizeof(T);
    }
    template <typename T>
    __aicore__ inline void SetWorkspace(__gm__ const T* addr, int size) {
        ws_ = reinterpret_cast<GM_ADDR>(const_cast<T*>(addr)), wsBytes_ = uint64_t(size) * sizeof(T);
    }
    // 310P's UB scratch for the ND<->NZ conversions; 910B's cube path does not use it.
    __aicore__ inline void SetLocalWorkspace(const LT<uint8_t>& tmp) { localWs_ = tmp; }

    // ---- computation ------------------------------------------------------------------------
    template <bool sync = true>
    __aicore__ inline bool Iterate(bool enPartialSum = false) {
        RequireInputs("Iterate");
        if (pending_) detail::Refuse("Iterate", "the previous block was not taken out with GetTensorC");
        if (!started_) Start();
        if (next_ == mIter_ * nIter_) {
            OnCube([&] { ReleaseL1(); });
            started_ = false;
            return false;
        }
        const bool mFirst = t_.iterateOrder == 0;  // 0: walk M first, then N
        curM_ = mFirst ? next_ % mIter_ : next_ / nIter_;
        curN_ = mFirst ? next_ / mIter_ : next_ % nIter_;
        ++next_;
        if (enPartialSum) detail::Refuse("Iterate", "enPartialSum = true (accumulating onto L0C) is not implemented by opkit");
        pending_ = true;
        // Note [Matmul clients on the AIC]: an AIV's block is computed by the request that takes
        // it out (GetTensorC), so no client holds L0C between requests.
        if (opkit::rt::CubeIsRemote()) return blockDue_ = true;
        OnCube([&] { ComputeBlock(enPartialSum); });
        return true;
    }
    template <bool sync = true>
    __aicore__ inline void GetTensorC(const GT<DstT>& gm, uint8_t enAtomic = 0, bool enSequentialWrite = false) {
        TakePending("GetTensorC");
        if (kCPos != TPosition::GM) detail::Refuse("GetTensorC", "C's MatmulType position is not GM; pass a LocalTensor");
        OnCube([&] { CopyOut(gm, enAtomic, enSequentialWrite); });
    }
    template <bool sync = true>
    __aicore__ inline void GetTensorC(const LT<DstT>& ub, uint8_t enAtomic = 0, bool enSequentialWrite = false) {
        TakePending("GetTensorC");
        (void)enSequentialWrite;
        if (enAtomic != 0) detail::Refuse("GetTensorC", "enAtomic applies only to a GM destination");
        ToLocal("GetTensorC", ub);
    }
    template <bool sync = true>
    __aicore__ inline void GetTensorC(const GT<DstT>& gm, const LT<DstT>& ub, uint8_t enAtomic = 0,
                                      bool enSequentialWrite = false) {
        TakePending("GetTensorC");
        ToLocal("GetTensorC", ub, 0, &gm, enAtomic, enSequentialWrite);  // to GM, then (CO1 kept) to UB
    }
    template <bool sync = true>
    __aicore__ inline void IterateAll(const GT<DstT>& gm, uint8_t enAtomic = 0, bool enSequentialWrite = false,
                                      bool waitIterateAll = false, bool fakeMsg = false) {
        (void)waitIterateAll, (void)fakeMsg;
        RequireInputs("IterateAll");
        if (started_) detail::Refuse("IterateAll", "an Iterate loop is in progress; finish it first");
        OnCube([&] {  // one request (Note [The cube funnel])
            while (Iterate<sync>()) GetTensorC<sync>(gm, enAtomic, enSequentialWrite);
        });
    }
    template <bool sync = true>
    __aicore__ inline void IterateAll(const LT<DstT>& ub, uint8_t enAtomic = 0) {
        RequireInputs("IterateAll");
        if (enAtomic != 0) detail::Refuse("IterateAll", "enAtomic applies only to a GM destination");
        // The whole singleM x singleN result, block after block, at its place (row stride singleN).
        while (Iterate<sync>()) {
            TakePending("IterateAll");
            LT<DstT> at = ub[uint32_t(curM_ * t_.baseM * singleN_ + curN_ * t_.baseN)];
            ToLocal("IterateAll", at, uint32_t(singleN_));
        }
    }
    __aicore__ inline void WaitGetTensorC() {}   // the CPU finishes each block within its call
    __aicore__ inline void WaitIterateAll() {}
    // The AIV sub-block this object serves (CANN's server sets it per AIV); GetSubBlockIdx reads it.
    __aicore__ inline void SetSubBlockIdx(uint8_t subBlockIdx) { subBlockIdx_ = subBlockIdx; }
    __aicore__ inline uint8_t GetSubBlockIdx() const { return subBlockIdx_; }
    __aicore__ inline void End() {
        if (pending_) detail::Refuse("End", "a block computed by Iterate was never taken out with GetTensorC");
        OnCube([&] { ReleaseL1(); });
        started_ = false, aSet_ = false, bSet_ = false, biasOn_ = false;
    }

private:
    // Note [The cube funnel].
    template <typename F>
    __aicore__ inline void OnCube(F&& cubeSide) {
        if (!opkit::rt::CubeIsRemote()) return cubeSide();
        const std::function<void()> step = [&] {
            if (opkit::rt::ClaimCubeL1(this)) DropL1();  // another client's tiles took L1's place
            cubeSide();
        };
        opkit::rt::RunOnCube(step);
    }

#include "lib/matrix/matmul/matmul_impl_body.inc"
};

// CANN's implementation class, which kernels that drive the cube core themselves name (the official
// MatMulInvocation sample runs it on the AIC and returns on the AIVs): the same class here, whose
// calls run on the calling core when that is not an AIV of a MIX launch (Note [The cube funnel]).
template <class A_TYPE, class B_TYPE, class C_TYPE, class BIAS_TYPE = C_TYPE, const auto& MM_CFG = CFG_NORM,
          class MM_CB = MatmulCallBackFunc<nullptr, nullptr, nullptr>>
using MatmulImpl = Matmul<A_TYPE, B_TYPE, C_TYPE, BIAS_TYPE, MM_CFG, MM_CB>;

namespace detail {
template <class MM>
inline void RegistOne(AscendC::TPipe* pipe, GM_ADDR ws, MM& mm) { mm.SetRegist(pipe, ws); }
template <class MM>
inline void RegistOne(AscendC::TPipe* pipe, GM_ADDR ws, MM& mm, const TCubeTiling* tiling) {
    mm.SetRegist(pipe, ws);
    mm.Init(tiling, pipe);
}
template <class MM>
inline void RegistOne(AscendC::TPipe* pipe, GM_ADDR ws, MM& mm, const TCubeTiling& tiling) {
    RegistOne(pipe, ws, mm, &tiling);
}
inline void Regist(AscendC::TPipe*, GM_ADDR) {}
template <class MM>
inline void Regist(AscendC::TPipe* pipe, GM_ADDR ws, MM& mm) { RegistOne(pipe, ws, mm); }
template <class MM, class TL, class... Rest>
inline void Regist(AscendC::TPipe* pipe, GM_ADDR ws, MM& mm, TL&& tiling, Rest&&... rest) {
    static_assert(sizeof...(Rest) / 2 + 1 <= 4, "REGIST_MATMUL_OBJ takes at most 4 Matmul objects");
    RegistOne(pipe, ws, mm, tiling);
    Regist(pipe, ws, rest...);
}
}  // namespace detail

}  // namespace matmul
