// LoraMatmulCustom, host side: y = x · wᵀ (+ bias) + scale · (xl · A[id]ᵀ) · B[id]ᵀ. x is [..., in] (its
// leading dimensions are one M), w [out, in] (nn.Dense's layout), a [r, in] or [adapters, r, in],
// b [out, r] or [adapters, out, r], bias float32 [out], adapter_ids int32 [M] (or x's leading shape;
// -1: no adapter; required with the 3-D forms), x_lora (optional, x's shape and dtype: the LoRA branch's
// input, e.g. dropout(x); xl = x_lora when given, else x). The tiling and the workspace regions are the
// kernel's design (kernels/lora_matmul_custom.cpp); the ids are a value-depend input, checked here.
// The other shape checks only fail the call (the Python side names them); an x_lora that does not
// match x throws std::invalid_argument naming both, which opkit reports as the call's error.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "lora_matmul_custom_tiling.h"
#include "register/op_def_registry.h"
#include "tiling/platform/platform_ascendc.h"

namespace {
enum Input { X, W, A, B, BIAS, IDS, X_LORA };

struct LoraDims {
    int64_t m = 1, k = 0, n = 0, r = 0, adapters = 1;
};

int64_t Align(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

// Dimensions from the shapes, or false when they disagree (InferShape names the shapes).
bool Dims(const gert::Shape& x, const gert::Shape& w, const gert::Shape& a, const gert::Shape& b,
          const gert::Shape* ids, LoraDims& d) {
    if (x.GetDimNum() < 1 || w.GetDimNum() != 2) return false;
    d.k = x.GetDim(x.GetDimNum() - 1);
    for (size_t i = 0; i + 1 < x.GetDimNum(); ++i) d.m *= x.GetDim(i);
    d.n = w.GetDim(0);
    if (w.GetDim(1) != d.k || d.k < 1 || d.n < 1) return false;
    const bool many = a.GetDimNum() == 3;
    if (a.GetDimNum() != (many ? 3u : 2u) || b.GetDimNum() != a.GetDimNum()) return false;
    const size_t o = many ? 1 : 0;
    d.adapters = many ? a.GetDim(0) : 1;
    d.r = a.GetDim(o);
    if (a.GetDim(o + 1) != d.k || b.GetDim(o) != d.n || b.GetDim(o + 1) != d.r) return false;
    if (many && (b.GetDim(0) != d.adapters || ids == nullptr)) return false;
    if (d.r < 1 || d.r > 256 || d.adapters < 1) return false;
    if (ids != nullptr && ids->GetShapeSize() != d.m) return false;
    return d.k <= 65535 && d.n <= INT32_MAX && d.m <= INT32_MAX;
}

std::string Text(const gert::Shape& s) {
    std::string t = "(";
    for (size_t i = 0; i < s.GetDimNum(); ++i) t += (i ? ", " : "") + std::to_string(s.GetDim(i));
    return t + (s.GetDimNum() == 1 ? ",)" : ")");
}

// x_lora (when given) is x after dropout: it must have x's shape, dims and all.
void CheckXLora(const gert::Shape& x, const gert::Shape* xLora) {
    if (xLora == nullptr) return;
    bool same = xLora->GetDimNum() == x.GetDimNum();
    for (size_t i = 0; same && i < x.GetDimNum(); ++i) same = xLora->GetDim(i) == x.GetDim(i);
    if (!same)
        throw std::invalid_argument("lora_matmul_custom: x_lora has shape " + Text(*xLora) + " but x has " + Text(x) +
                                    "; x_lora is the LoRA branch's input (x after dropout) and must have x's shape");
}

// ... and x's dtype (the dtype columns also refuse a mix; this names the two inputs).
void CheckXLoraType(ge::DataType x, const gert::CompileTimeTensorDesc* xLora) {
    if (xLora != nullptr && xLora->GetDataType() != x)
        throw std::invalid_argument("lora_matmul_custom: x_lora's dtype differs from x's; x_lora is the LoRA branch's "
                                    "input (x after dropout) and must have x's dtype");
}

// Output tile: the candidate whose busiest core moves the fewest rows of x and w (the kernel is
// bound by GM reads of them; Note [LoRA tiling] in the kernel).
void PickTile(const LoraDims& d, int64_t cores, int64_t& bm, int64_t& bn) {
    double best = 1e300;
    for (int64_t cm : {256, 128, 64, 32, 16})
        for (int64_t cn : {256, 128, 64, 32, 16}) {
            if (cm * cn > 128 * 128 * 2) continue;  // L0C: 128 KiB of float accumulators
            const int64_t m = std::min(cm, Align(d.m, 16)), n = std::min(cn, Align(d.n, 16));
            // The busiest block: its full rounds, and a column piece of a last-round tile (Note [Balanced
            // last round] in kernels/lora_matmul_custom_phases.h).
            const int64_t tiles = ((d.m + m - 1) / m) * ((d.n + n - 1) / n), left = tiles % cores;
            const double rows = double(std::min(m, d.m)), cols = double(std::min(n, d.n));
            const double cost = double(tiles / cores) * ((rows + cols) * d.k + 2000.0) +
                                (left > 0 ? (rows + cols / double(cores / left)) * d.k + 2000.0 : 0.0);
            if (cost < best - 1e-9) best = cost, bm = m, bn = n;
        }
}
}  // namespace

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const gert::Tensor* idsTensor = context->GetOptionalInputTensor(IDS);
    const gert::StorageShape* xLora = context->GetOptionalInputShape(X_LORA);
    CheckXLora(context->GetInputShape(X)->GetStorageShape(), xLora ? &xLora->GetStorageShape() : nullptr);
    CheckXLoraType(context->GetInputDesc(X)->GetDataType(), xLora ? context->GetInputDesc(X_LORA) : nullptr);
    LoraDims d;
    if (!Dims(context->GetInputShape(0)->GetStorageShape(), context->GetInputShape(1)->GetStorageShape(),
              context->GetInputShape(2)->GetStorageShape(), context->GetInputShape(3)->GetStorageShape(),
              idsTensor ? &idsTensor->GetStorageShape() : nullptr, d))
        return ge::GRAPH_FAILED;
    // The ids are visible here (value-depend): an id outside [-1, adapters) is refused before launch.
    // (The kernel treats such an id as "no adapter" anyway, so it never reads outside a and b.)
    if (idsTensor != nullptr && idsTensor->GetData<int32_t>() != nullptr) {
        const int32_t* ids = idsTensor->GetData<int32_t>();
        for (int64_t i = 0; i < d.m; ++i)
            if (ids[i] < -1 || ids[i] >= d.adapters) return ge::GRAPH_FAILED;
    }
    const float* scale = context->GetAttrs()->GetFloat(0);
    if (scale == nullptr) return ge::GRAPH_FAILED;
    platform_ascendc::PlatformAscendC platform(context->GetPlatformInfo());
    const int64_t cores = std::max<int64_t>(1, platform.GetCoreNumAic());
    int64_t bm = 16, bn = 16;
    PickTile(d, cores, bm, bn);
    const int64_t rPad = Align(d.r, 16);
    // L1: three A tiles and three B tiles of kL1 columns (the B side also holds A's [r, kL1] in phase 1),
    // and two of each for the adapter's steps, min(rPad, kL1) wide; the widest kL1 that fits.
    const int64_t aRows = std::max<int64_t>(bm, 128), bRows = std::max(bn, rPad);
    int64_t kL1 = 256;
    while (kL1 > 64 && (aRows + bRows) * (3 * kL1 + 2 * std::min(rPad, kL1)) * 2 + 4096 > 512 * 1024) kL1 /= 2;
    const int64_t chunk = Align((d.m + cores - 1) / cores, 16);
    const int64_t tilesM = (d.m + bm - 1) / bm, tilesN = (d.n + bn - 1) / bn;
    const int64_t blocks = std::min(cores, std::max(tilesM * tilesN, (d.m + chunk - 1) / chunk));

    LoraMatmulCustomTilingData t;
    t.set_m(uint32_t(d.m)), t.set_n(uint32_t(d.n)), t.set_k(uint32_t(d.k)), t.set_r(uint32_t(d.r));
    t.set_adapters(uint32_t(d.adapters));
    t.set_hasBias(context->GetOptionalInputTensor(BIAS) != nullptr ? 1 : 0);
    t.set_hasIds(idsTensor != nullptr ? 1 : 0);
    t.set_hasXLora(xLora != nullptr ? 1 : 0);
    t.set_scale(*scale);
    t.set_chunk(uint32_t(chunk)), t.set_baseM(uint32_t(bm)), t.set_baseN(uint32_t(bn));
    t.set_baseK(64), t.set_kL1(uint32_t(kL1)), t.set_tilesM(uint32_t(tilesM)), t.set_tilesN(uint32_t(tilesN));
    const int64_t dsize = 2;  // float16 / bfloat16
    int64_t at = 0;
    t.set_wsCodes(uint32_t(at)), at += Align((d.m + 15) / 16 * 4, 512);
    t.set_wsT(uint32_t(at)), at += Align(d.m * d.r * 4, 512);
    t.set_wsTs(uint32_t(at)), at += Align(d.m * d.r * dsize, 512);
    t.set_wsTsLo(uint32_t(at)), at += Align(d.m * d.r * dsize, 512);
    t.set_wsZero(uint32_t(at)), at += Align(bm * d.r * dsize, 512);
    if (at > UINT32_MAX) return ge::GRAPH_FAILED;
    context->SetBlockDim(uint32_t(blocks));
    t.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(t.GetDataSize());
    context->GetWorkspaceSizes(1)[0] = size_t(platform.GetLibApiWorkSpaceSize()) + size_t(at);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) {
    const gert::Shape *x = context->GetInputShape(X), *w = context->GetInputShape(W);
    const gert::Shape *a = context->GetInputShape(A), *b = context->GetInputShape(B);
    LoraDims d;
    if (x == nullptr || w == nullptr || a == nullptr || b == nullptr ||
        !Dims(*x, *w, *a, *b, context->GetOptionalInputShape(IDS), d))
        return GRAPH_FAILED;
    CheckXLora(*x, context->GetOptionalInputShape(X_LORA));
    const gert::Shape* bias = context->GetOptionalInputShape(BIAS);
    if (bias != nullptr && !(bias->GetDimNum() == 1 && bias->GetDim(0) == d.n)) return GRAPH_FAILED;
    gert::Shape* y = context->GetOutputShape(0);
    *y = *x;
    y->SetDim(x->GetDimNum() - 1, d.n);
    return GRAPH_SUCCESS;
}
static graphStatus InferDataType(gert::InferDataTypeContext* context) {
    return context->SetOutputDataType(0, context->GetInputDataType(0));
}
}  // namespace ge

namespace ops {
class LoraMatmulCustom : public OpDef {
public:
    explicit LoraMatmulCustom(const char* name) : OpDef(name) {
        for (const char* input : {"x", "w", "a", "b"})
            this->Input(input).ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("bias").ParamType(OPTIONAL).DataType({ge::DT_FLOAT, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("adapter_ids").ParamType(OPTIONAL).ValueDepend(OPTIONAL).DataType({ge::DT_INT32, ge::DT_INT32})
            .Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("x_lora").ParamType(OPTIONAL).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Attr("scale").AttrType(OPTIONAL).Float(1.0);
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(LoraMatmulCustom);
}  // namespace ops
