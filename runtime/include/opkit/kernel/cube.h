// opkit: the cube (matrix) path of the basic API: GM -> L1 with ND->NZ conversion, L1 -> L0A/L0B
// (LoadData), the matrix multiply-accumulate (Mmad), L0C -> GM (Fixpipe, 910B; its quantising modes:
// Note [Fixpipe quantisation] in runtime/src/cube_fixpipe.cpp) and L0C -> UB (DataCopy with
// DataCopyEnhancedParams, 910A/310P).
//
// The headers keep the typed API and hand each instruction to runtime/src/cube.cpp, which checks
// it, moves the data fractal by fractal and reports it to the npu_simulator model. The layouts and
// the facts behind them are in Note [Cube layouts] there.
#pragma once

#include <cstring>
#include <type_traits>

#include "opkit/kernel/tensor.h"

// The quantisation mode of Fixpipe. A plain (unscoped) enum at global scope in CANN, so kernels
// write both `QuantMode_t::F322F16` and `F322F16`.
enum QuantMode_t : uint8_t {
    NoQuant = 0, F322F16, F322BF16, DEQF16, VDEQF16, QF322B8_PRE, VQF322B8_PRE, REQ8, VREQ8,
};

namespace AscendC {

// ---- parameter structs (field names, types and constructor orders as in the Ascend C API) ------
struct Nd2NzParams {
    Nd2NzParams() = default;
    Nd2NzParams(uint16_t ndNumIn, uint16_t nValueIn, uint16_t dValueIn, uint16_t srcNdMatrixStrideIn,
                uint16_t srcDValueIn, uint16_t dstNzC0StrideIn, uint16_t dstNzNStrideIn, uint16_t dstNzMatrixStrideIn)
        : ndNum(ndNumIn), nValue(nValueIn), dValue(dValueIn), srcNdMatrixStride(srcNdMatrixStrideIn),
          srcDValue(srcDValueIn), dstNzC0Stride(dstNzC0StrideIn), dstNzNStride(dstNzNStrideIn),
          dstNzMatrixStride(dstNzMatrixStrideIn) {}
    uint16_t ndNum = 0;              // ND matrices to convert
    uint16_t nValue = 0;             // rows of each
    uint16_t dValue = 0;             // columns of each (elements)
    uint16_t srcNdMatrixStride = 0;  // elements between the starts of consecutive ND matrices
    uint16_t srcDValue = 0;          // elements between the starts of consecutive rows
    uint16_t dstNzC0Stride = 0;      // 32-byte units between the starts of consecutive column blocks
    uint16_t dstNzNStride = 0;       // 32-byte units between the starts of consecutive rows
    uint16_t dstNzMatrixStride = 0;  // elements between the starts of consecutive NZ matrices
};

struct LoadData2DParams {
    LoadData2DParams() = default;
    LoadData2DParams(uint16_t startIndexIn, uint8_t repeatTimesIn, uint16_t srcStrideIn, uint8_t sidIn,
                     uint16_t dstGapIn, bool ifTransposeIn, uint8_t addrModeIn)
        : startIndex(startIndexIn), dstGap(dstGapIn), srcStride(srcStrideIn), ifTranspose(ifTransposeIn),
          repeatTimes(repeatTimesIn), sid(sidIn), addrMode(addrModeIn) {}
    uint16_t startIndex = 0;  // first source fractal (512-byte units)
    uint16_t dstGap = 0;      // 512-byte units between one destination fractal's end and the next one's start
    uint16_t srcStride = 0;   // 512-byte units between the starts of consecutive source fractals
    bool ifTranspose = false;
    uint8_t repeatTimes = 0;  // fractals to move
    uint8_t sid = 0;
    uint8_t addrMode = 0;  // 0: source index increments, 1: decrements
};
using LoadData2dParams = LoadData2DParams;

// LoadDataWithTranspose (Note [LoadDataWithTranspose] in runtime/src/cube_load.cpp).
struct LoadData2dTransposeParams {
    LoadData2dTransposeParams() = default;
    LoadData2dTransposeParams(uint16_t startIndexIn, uint8_t repeatTimesIn, uint16_t srcStrideIn, uint16_t dstGapIn,
                              uint16_t dstFracGapIn, uint8_t addrModeIn = 0)
        : startIndex(startIndexIn), repeatTimes(repeatTimesIn), srcStride(srcStrideIn), dstGap(dstGapIn),
          dstFracGap(dstFracGapIn), addrMode(addrModeIn) {}
    uint16_t startIndex = 0;  // first source square
    uint8_t repeatTimes = 0;  // squares to move
    uint16_t srcStride = 0;   // squares between the starts of consecutive source squares
    uint16_t dstGap = 0;      // 512-byte units from one repeat's first destination fractal's end to the next one's start
    uint16_t dstFracGap = 0;  // 512-byte units between a square's two destination fractals (8/32-bit types)
    uint8_t addrMode = 0;     // 0: source index increments, 1: decrements
};

// LoadData 3D v2, the img2col load (Note [LoadData 3D v2] in runtime/src/cube_load3d.cpp).
constexpr int32_t PAD_SIZE = 4;
enum class FmatrixMode : uint8_t { FMATRIX_LEFT = 0, FMATRIX_RIGHT = 1 };
// Whether LoadData with LoadData3DParamsV2 sets the feature map (l1H, l1W, padList) and the padding
// value from its parameters (true) or uses those SetFmatrix / SetLoadDataPaddingValue set (false).
struct IsResetLoad3dConfig {
    bool isSetFMatrix = true;
    bool isSetPadding = true;
};
constexpr IsResetLoad3dConfig IS_RESER_LOAD3D_DEFAULT_CONFIG = {true, true};

template <typename T>
struct LoadData3DParamsV2 {
    LoadData3DParamsV2() = default;
    LoadData3DParamsV2(const uint8_t padListIn[PAD_SIZE], uint16_t l1HIn, uint16_t l1WIn, uint16_t channelSizeIn,
                       uint16_t kExtensionIn, uint16_t mExtensionIn, uint16_t kStartPtIn, uint16_t mStartPtIn,
                       uint8_t strideWIn, uint8_t strideHIn, uint8_t filterWIn, uint8_t filterHIn,
                       uint8_t dilationFilterWIn, uint8_t dilationFilterHIn, bool enTransposeIn, bool enSmallKIn,
                       T padValueIn, bool filterSizeWIn = false, bool filterSizeHIn = false, bool fMatrixCtrlIn = false)
        : l1H(l1HIn), l1W(l1WIn), channelSize(channelSizeIn), kExtension(kExtensionIn), mExtension(mExtensionIn),
          kStartPt(kStartPtIn), mStartPt(mStartPtIn), strideW(strideWIn), strideH(strideHIn), filterW(filterWIn),
          filterH(filterHIn), dilationFilterW(dilationFilterWIn), dilationFilterH(dilationFilterHIn),
          enTranspose(enTransposeIn), enSmallK(enSmallKIn), padValue(padValueIn), filterSizeW(filterSizeWIn),
          filterSizeH(filterSizeHIn), fMatrixCtrl(fMatrixCtrlIn) {
        for (int32_t i = 0; i < PAD_SIZE; ++i) padList[i] = padListIn[i];
    }
    uint8_t padList[PAD_SIZE] = {0, 0, 0, 0};  // left, right, top, bottom
    uint16_t l1H = 0;          // feature map height
    uint16_t l1W = 0;          // feature map width
    uint16_t channelSize = 0;  // channels
    uint16_t kExtension = 0;   // columns of the img2col matrix to load
    uint16_t mExtension = 0;   // rows of it
    uint16_t kStartPt = 0;     // its first column
    uint16_t mStartPt = 0;     // its first row
    uint8_t strideW = 1;
    uint8_t strideH = 1;
    uint8_t filterW = 1;
    uint8_t filterH = 1;
    uint8_t dilationFilterW = 1;
    uint8_t dilationFilterH = 1;
    bool enTranspose = false;  // L0A: load the transposed matrix
    bool enSmallK = false;
    T padValue = T(0);
    bool filterSizeW = false;  // filterW + 256
    bool filterSizeH = false;  // filterH + 256
    bool fMatrixCtrl = false;
};

struct LoadDataRepeatParam {
    LoadDataRepeatParam() = default;
    LoadDataRepeatParam(uint16_t repeatStrideIn, uint8_t repeatTimeIn, uint8_t repeatModeIn)
        : repeatStride(repeatStrideIn), repeatTime(repeatTimeIn), repeatMode(repeatModeIn) {}
    uint16_t repeatStride = 0;
    uint8_t repeatTime = 1;
    uint8_t repeatMode = 0;
    uint8_t reserved = 0;
};

struct MmadParams {
    MmadParams() = default;
    MmadParams(uint16_t mIn, uint16_t nIn, uint16_t kIn, bool isBiasIn, int32_t fmOffsetIn, bool enSsparseIn,
               bool enWinogradAIn, bool enWinogradBIn)
        : m(mIn), n(nIn), k(kIn), isBias(isBiasIn), fmOffset(fmOffsetIn), enSsparse(enSsparseIn),
          enWinogradA(enWinogradAIn), enWinogradB(enWinogradBIn) {}
    MmadParams(uint16_t mIn, uint16_t nIn, uint16_t kIn, uint8_t unitFlagIn, bool cmatrixSourceIn, bool cmatrixInitValIn)
        : m(mIn), n(nIn), k(kIn), unitFlag(unitFlagIn), cmatrixSource(cmatrixSourceIn), cmatrixInitVal(cmatrixInitValIn) {}
    uint16_t m = 0;
    uint16_t n = 0;
    uint16_t k = 0;
    bool isBias = false;  // deprecated spelling of "accumulate onto L0C"
    int32_t fmOffset = 0;
    bool enSsparse = false;
    bool enWinogradA = false;
    bool enWinogradB = false;
    uint8_t unitFlag = 0;
    bool kDirectionAlign = false;  // float inputs: K padded to 16 (true) or to 8 (false) in L0A/L0B
    bool cmatrixSource = false;    // initial C from the bias table (C2) instead of L0C
    bool cmatrixInitVal = true;    // true: C starts at 0; false: accumulate onto L0C
};

enum class CO2Layout : uint8_t { NZ = 0, ROW_MAJOR, COLUMN_MAJOR };
struct FixpipeConfig {
    CO2Layout format;
    constexpr FixpipeConfig(CO2Layout f) : format(f) {}
    constexpr FixpipeConfig(CO2Layout f, bool /*isToUB*/) : format(f) {}
};
constexpr FixpipeConfig CFG_NZ = {CO2Layout::NZ};
constexpr FixpipeConfig CFG_ROW_MAJOR = {CO2Layout::ROW_MAJOR};
constexpr FixpipeConfig CFG_COLUMN_MAJOR = {CO2Layout::COLUMN_MAJOR};

struct FixpipeParamsV220 {
    FixpipeParamsV220() = default;
    FixpipeParamsV220(uint16_t nSizeIn, uint16_t mSizeIn, uint16_t srcStrideIn, uint32_t dstStrideIn, bool reluEnIn)
        : nSize(nSizeIn), mSize(mSizeIn), srcStride(srcStrideIn), dstStride(dstStrideIn), reluEn(reluEnIn) {}
    FixpipeParamsV220(uint16_t nSizeIn, uint16_t mSizeIn, uint16_t srcStrideIn, uint32_t dstStrideIn, bool reluEnIn,
                      QuantMode_t quantPreIn, int64_t deqScalarIn, uint16_t ndNumIn, uint16_t srcNdStrideIn,
                      uint16_t dstNdStrideIn, uint8_t unitFlagIn, bool isChannelSplitIn = false)
        : nSize(nSizeIn), mSize(mSizeIn), srcStride(srcStrideIn), dstStride(dstStrideIn), quantPre(quantPreIn),
          deqScalar(uint64_t(deqScalarIn)), ndNum(ndNumIn), srcNdStride(srcNdStrideIn), dstNdStride(dstNdStrideIn),
          reluEn(reluEnIn), unitFlag(unitFlagIn), isChannelSplit(isChannelSplitIn) {}
    uint16_t nSize = 0;      // columns (N) to move
    uint16_t mSize = 0;      // rows (M) to move
    uint16_t srcStride = 0;  // rows (16-element units) between the starts of L0C column blocks
    uint32_t dstStride = 0;  // NZ2ND: elements between the starts of destination rows
    QuantMode_t quantPre = NoQuant;
    uint64_t deqScalar = 0;
    uint16_t ndNum = 1;
    uint16_t srcNdStride = 0;  // fractals (16x16 elements of L0C) between source matrices
    uint16_t dstNdStride = 0;  // elements between destination matrices
    bool reluEn = false;
    uint8_t unitFlag = 0;
    bool isChannelSplit = false;
};

}  // namespace AscendC

namespace opkit {
namespace rt {
// One operand of a cube instruction as the runtime sees it: where, in which memory, how many
// bytes the LocalTensor/GlobalTensor spans (0: unknown), and its element type.
struct CubeOperand {
    uint8_t* addr;
    Mem mem;  // Mem::COUNT for GM
    uint64_t bytes;
    DType type;
};
void CubeNd2Nz(const CubeOperand& dst, const CubeOperand& src, const AscendC::Nd2NzParams& p);
void CubeLoad2D(const CubeOperand& dst, const CubeOperand& src, const AscendC::LoadData2DParams& p);
void CubeLoadTranspose(const CubeOperand& dst, const CubeOperand& src, const AscendC::LoadData2dTransposeParams& p);
// LoadData with LoadData3DParamsV2, its type-free part (Note [LoadData 3D v2] in runtime/src/cube_load3d.cpp).
struct Load3DArgs {
    const uint8_t* padList;  // the parameters' padList, l1H, l1W when setFmatrix
    uint16_t l1H, l1W, channelSize, kExtension, mExtension, kStartPt, mStartPt;
    uint8_t strideW, strideH, filterW, filterH, dilationFilterW, dilationFilterH;
    bool enTranspose, enSmallK, filterSizeW, filterSizeH, fMatrixCtrl;
    uint32_t padBits;  // the parameters' padValue, its bytes
    bool setFmatrix, setPadding;
};
void CubeLoad3DV2(const CubeOperand& dst, const CubeOperand& src, const Load3DArgs& a);
// The load3d registers of the calling core: SetFmatrix, SetLoadDataPaddingValue, SetLoadDataRepeat,
// SetLoadDataBoundary.
void SetFmatrixState(uint16_t l1H, uint16_t l1W, const uint8_t padList[4], uint8_t mode);
void SetLoad3DPadding(uint32_t bits);
void SetLoad3DRepeat(uint16_t repeatStride, uint8_t repeatTime, uint8_t repeatMode);
void SetLoad3DBoundary(uint32_t bytes);
// `bias`: the bias-table (C2) operand of the bias form of Mmad (C starts as the bias row), or null.
void CubeMmad(const CubeOperand& c, const CubeOperand& a, const CubeOperand& b, const AscendC::MmadParams& p,
              const CubeOperand* bias = nullptr);
// L1 (C1) -> bias table (C2), DataCopy with DataCopyParams (blockLen and dstGap in 64-byte units).
void CubeBiasCopy(const CubeOperand& dst, const CubeOperand& src, const AscendC::DataCopyParams& p);

// `quantTable`: the per-column parameters (L1, uint64_t) of the VDEQF16/VQF322B8_PRE/VREQ8 modes, or null
// (Note [Fixpipe quantisation] in runtime/src/cube_fixpipe.cpp).
void CubeFixpipe(const CubeOperand& dst, const CubeOperand& src, const AscendC::FixpipeParamsV220& p,
                 AscendC::CO2Layout layout, const CubeOperand* quantTable = nullptr);
// L0C (CO1) -> UB (CO2) on 910A/310P, DataCopy with DataCopyEnhancedParams (Note [CO1 -> CO2 copy]
// in runtime/src/cube_co2.cpp).
void CubeL0cToUb(const CubeOperand& dst, const CubeOperand& src, const AscendC::DataCopyParams& p,
                 const AscendC::DataCopyEnhancedParams& e);
}  // namespace rt
}  // namespace opkit

namespace AscendC {
namespace detail {
template <typename T>
opkit::rt::CubeOperand Cube(const LocalTensor<T>& t) {
    return {reinterpret_cast<uint8_t*>(t.addr_), MemOf(t.pos_), uint64_t(t.size_) * sizeof(T), opkit::DTypeOf<T>::value};
}
template <typename T>
opkit::rt::CubeOperand Cube(const GlobalTensor<T>& g) {
    return {reinterpret_cast<uint8_t*>(g.addr_), opkit::rt::Mem::COUNT, g.size_ * sizeof(T), opkit::DTypeOf<T>::value};
}
}  // namespace detail

// GM -> L1 (A1/B1) with ND -> NZ conversion (910B, 310P AI Core).
// soc: 910B 310P
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const Nd2NzParams& intriParams) {
    opkit::rt::CubeNd2Nz(detail::Cube(dst), detail::Cube(src), intriParams);
}

// L1 (A1/B1) or GM -> L0A (A2) / L0B (B2), one 512-byte fractal per repeat.
template <typename T>
__aicore__ inline void LoadData(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LoadData2DParams& loadDataParams) {
    opkit::rt::CubeLoad2D(detail::Cube(dst), detail::Cube(src), loadDataParams);
}
template <typename T>
__aicore__ inline void LoadData(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const LoadData2DParams& loadDataParams) {
    opkit::rt::CubeLoad2D(detail::Cube(dst), detail::Cube(src), loadDataParams);
}

// L1 (A1/B1) -> L0A (A2) / L0B (B2), transposing square blocks of one or two fractals (910B).
// soc: 910B
template <typename T>
__aicore__ inline void LoadDataWithTranspose(const LocalTensor<T>& dst, const LocalTensor<T>& src,
                                             const LoadData2dTransposeParams& loadDataParams) {
    opkit::rt::CubeLoadTranspose(detail::Cube(dst), detail::Cube(src), loadDataParams);
}

// L1 (A1/B1) -> L0A (A2) / L0B (B2), img2col of an NC1HWC0 feature map (910B).
template <typename T, const IsResetLoad3dConfig& defaultConfig = IS_RESER_LOAD3D_DEFAULT_CONFIG, typename U = T,
          typename std::enable_if<std::is_same<T, U>::value, bool>::type = true>
__aicore__ inline void LoadData(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LoadData3DParamsV2<U>& p) {
    uint32_t bits = 0;
    std::memcpy(&bits, &p.padValue, sizeof(U) < 4 ? sizeof(U) : 4);
    const opkit::rt::Load3DArgs a{p.padList, p.l1H, p.l1W, p.channelSize, p.kExtension, p.mExtension, p.kStartPt,
                                  p.mStartPt, p.strideW, p.strideH, p.filterW, p.filterH, p.dilationFilterW,
                                  p.dilationFilterH, p.enTranspose, p.enSmallK, p.filterSizeW, p.filterSizeH,
                                  p.fMatrixCtrl, bits, defaultConfig.isSetFMatrix, defaultConfig.isSetPadding};
    opkit::rt::CubeLoad3DV2(detail::Cube(dst), detail::Cube(src), a);
}
__aicore__ inline void SetFmatrix(uint16_t l1H, uint16_t l1W, const uint8_t padList[4], const FmatrixMode& fmatrixMode) {
    opkit::rt::SetFmatrixState(l1H, l1W, padList, uint8_t(fmatrixMode));
}
template <typename T>
__aicore__ inline void SetLoadDataPaddingValue(const T padValue) {
    uint32_t bits = 0;
    std::memcpy(&bits, &padValue, sizeof(T) < 4 ? sizeof(T) : 4);
    opkit::rt::SetLoad3DPadding(bits);
}
__aicore__ inline void SetLoadDataRepeat(const LoadDataRepeatParam& repeatParams) {
    opkit::rt::SetLoad3DRepeat(repeatParams.repeatStride, repeatParams.repeatTime, repeatParams.repeatMode);
}
__aicore__ inline void SetLoadDataBoundary(uint32_t boundaryValue) { opkit::rt::SetLoad3DBoundary(boundaryValue); }

// C (CO1) = A (A2) x B (B2) [+ C].
template <typename T, typename U, typename S>
__aicore__ inline void Mmad(const LocalTensor<T>& dst, const LocalTensor<U>& fm, const LocalTensor<S>& filter,
                            const MmadParams& mmadParams) {
    opkit::rt::CubeMmad(detail::Cube(dst), detail::Cube(fm), detail::Cube(filter), mmadParams);
}

// C (CO1) = bias (C2, one row of N, broadcast over M) + A (A2) x B (B2): the bias table is the
// initial value of the accumulator (Mmad.md, the prototype with a bias operand).
// soc: 910B
template <typename T, typename U, typename S, typename V>
__aicore__ inline void Mmad(const LocalTensor<T>& dst, const LocalTensor<U>& fm, const LocalTensor<S>& filter,
                            const LocalTensor<V>& bias, const MmadParams& mmadParams) {
    const opkit::rt::CubeOperand b = detail::Cube(bias);
    opkit::rt::CubeMmad(detail::Cube(dst), detail::Cube(fm), detail::Cube(filter), mmadParams, &b);
}

// L1 (C1) -> bias table (C2), with the half -> float conversion when the types differ (910B).
namespace detail {
template <typename T, typename U>
__aicore__ inline void BiasTableCopy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const DataCopyParams& p) {
    opkit::rt::CubeBiasCopy(Cube(dst), Cube(src), p);
}
}  // namespace detail
// soc: 910B
template <typename T, typename U, typename std::enable_if<!std::is_same<T, U>::value, int>::type = 0>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const DataCopyParams& p) {
    detail::BiasTableCopy(dst, src, p);
}

// DataCopy with DataCopyEnhancedParams. Out of L0C (CO1) it is the 910A/310P way out of the cube: to
// UB (CO2), fractal by fractal, converting on the way (Note [CO1 -> CO2 copy] in
// runtime/src/cube_co2.cpp). On every other path the enhanced fields have no effect and the call is
// the strided DataCopy (L0C到UB数据搬运（DataCopy）.md).
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& intriParams,
                                const DataCopyEnhancedParams& /*enhancedParams*/) {
    DataCopy(dst, src, intriParams);
}
template <typename T>
__aicore__ inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& intriParams,
                                const DataCopyEnhancedParams& /*enhancedParams*/) {
    DataCopy(dst, src, intriParams);
}
template <typename T>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& intriParams,
                                const DataCopyEnhancedParams& enhancedParams) {
    if (detail::MemOf(src.pos_) == opkit::rt::Mem::L0C || detail::MemOf(dst.pos_) == opkit::rt::Mem::L0C)
        return opkit::rt::CubeL0cToUb(detail::Cube(dst), detail::Cube(src), intriParams, enhancedParams);
    DataCopy(dst, src, intriParams);
}
// Types differ only on the way out of L0C, the 910A/310P path.
// soc: 910A 310P
template <typename T, typename U, typename std::enable_if<!std::is_same<T, U>::value, int>::type = 0>
__aicore__ inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const DataCopyParams& intriParams,
                                const DataCopyEnhancedParams& enhancedParams) {
    opkit::rt::CubeL0cToUb(detail::Cube(dst), detail::Cube(src), intriParams, enhancedParams);
}

// Note [Atomic GM writes]: after SetAtomicAdd<T>() the core's writes to GM add onto what is there
// (AtomicMax/Min keep the larger/smaller) until SetAtomicNone() (SetAtomicAdd.md). opkit applies
// the mode to Fixpipe's writes; DataCopy UB -> GM under an atomic mode is refused (not implemented).
template <typename T>
__aicore__ inline void SetAtomicAdd() { opkit::rt::SetAtomic(opkit::rt::AtomicOp::ADD, opkit::DTypeOf<T>::value); }
template <typename T>
__aicore__ inline void SetAtomicMax() { opkit::rt::SetAtomic(opkit::rt::AtomicOp::MAX, opkit::DTypeOf<T>::value); }
template <typename T>
__aicore__ inline void SetAtomicMin() { opkit::rt::SetAtomic(opkit::rt::AtomicOp::MIN, opkit::DTypeOf<T>::value); }
__aicore__ inline void SetAtomicNone() { opkit::rt::SetAtomic(opkit::rt::AtomicOp::NONE, opkit::DType::F32); }

// L0C (CO1) -> GM, with NZ -> ND conversion and, on the way, ReLU, the fp32 -> fp16/bf16 cast or a
// quantising mode with the scalar deqScalar (910B).
// soc: 910B
template <typename T, typename U, const FixpipeConfig& config = CFG_ROW_MAJOR>
__aicore__ inline void Fixpipe(const GlobalTensor<T>& dst, const LocalTensor<U>& src, const FixpipeParamsV220& intriParams) {
    opkit::rt::CubeFixpipe(detail::Cube(dst), detail::Cube(src), intriParams, config.format);
}
// The same with a per-column quantising mode (VDEQF16, VQF322B8_PRE, VREQ8): cbufWorkspace holds one
// uint64_t parameter per output column, in L1 (C1).
template <typename T, typename U, const FixpipeConfig& config = CFG_ROW_MAJOR, typename S = uint64_t,
          typename std::enable_if<std::is_same<S, uint64_t>::value, bool>::type = true>
__aicore__ inline void Fixpipe(const GlobalTensor<T>& dst, const LocalTensor<U>& src, const LocalTensor<S>& cbufWorkspace,
                               const FixpipeParamsV220& intriParams) {
    const opkit::rt::CubeOperand table = detail::Cube(cbufWorkspace);
    opkit::rt::CubeFixpipe(detail::Cube(dst), detail::Cube(src), intriParams, config.format, &table);
}

}  // namespace AscendC
