// LoraMatmulGradCustom, host side: the backward of y = x·Wᵀ + s·(xl·Aᵀ)·Bᵀ with W frozen,
//   dx = dy·W + s·(dy·B)·A,   dA = s·(dy·B)ᵀ·xl,   dB = s·dyᵀ·(xl·Aᵀ),
// for one adapter (a [r, in], b [out, r]) or n of them (a [n, r, in], b [n, out, r]) picked per row by
// int32 adapter_ids (-1: none). dy [..., out] and x [..., in] share their leading dims (one M). xl is
// the optional x_lora (x's shape and dtype: the LoRA branch's input, e.g. dropout(x)), else x; dx
// leaves any dropout mask to the caller (kernels/lora_matmul_grad_custom.cpp).
// The kernel and its phases: kernels/lora_matmul_grad_custom.cpp (Note [LoRA backward phases]).
//
// Bad shapes and bad adapter ids throw std::invalid_argument with the argument, the value and the fix;
// opkit reports the message as the call's error. adapter_ids is value-dependent (ValueDepend): the
// tiling reads it on the host, as CANN does for such inputs, so an id outside -1..n-1 is refused before
// the kernel runs; the kernel compares ids with adapter numbers and never indexes memory with them.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "lora_matmul_grad_custom_tiling.h"
#include "register/op_def_registry.h"
#include "tiling/platform/platform_ascendc.h"
#include "tiling/tiling_api.h"

namespace {
enum Input { DY, X, W, A, B, IDS, X_LORA };

std::string Text(const gert::Shape& s) {
    std::string t = "(";
    for (size_t i = 0; i < s.GetDimNum(); ++i) t += (i ? ", " : "") + std::to_string(s.GetDim(i));
    return t + (s.GetDimNum() == 1 ? ",)" : ")");
}
[[noreturn]] void Reject(const std::string& what) { throw std::invalid_argument("lora_matmul_grad_custom: " + what); }

struct Dims {
    int64_t m = 1, in = 0, out = 0, r = 0, n = 1;
};

// The problem's sizes from the input shapes, or an exception saying which argument is wrong and how.
Dims Check(const gert::Shape& dy, const gert::Shape& x, const gert::Shape& w, const gert::Shape& a,
           const gert::Shape& b, const gert::Shape* ids, const gert::Shape* xLora) {
    Dims d;
    if (x.GetDimNum() < 1) Reject("x has shape " + Text(x) + "; it needs at least one dim [..., in]");
    if (xLora != nullptr) {
        bool same = xLora->GetDimNum() == x.GetDimNum();
        for (size_t i = 0; same && i < x.GetDimNum(); ++i) same = xLora->GetDim(i) == x.GetDim(i);
        if (!same)
            Reject("x_lora has shape " + Text(*xLora) + " but x has " + Text(x) +
                   "; x_lora is the LoRA branch's input (x after dropout) and must have x's shape");
    }
    if (w.GetDimNum() != 2) Reject("w has shape " + Text(w) + "; it must be [out, in] (nn.Dense's layout)");
    d.out = w.GetDim(0), d.in = w.GetDim(1);
    if (x.GetDim(x.GetDimNum() - 1) != d.in)
        Reject("x has shape " + Text(x) + " but w " + Text(w) + " is [out, in] with in = " + std::to_string(d.in) +
               "; x's last dim must be in");
    if (dy.GetDimNum() != x.GetDimNum() || dy.GetDim(dy.GetDimNum() - 1) != d.out)
        Reject("dy has shape " + Text(dy) + "; it must be x's leading dims + [out] = " + Text(x) + " with the last dim " +
               std::to_string(d.out));
    for (size_t i = 0; i + 1 < x.GetDimNum(); ++i) {
        if (dy.GetDim(i) != x.GetDim(i)) Reject("dy " + Text(dy) + " and x " + Text(x) + " must have the same leading dims");
        d.m *= x.GetDim(i);
    }
    const bool multi = a.GetDimNum() == 3;
    if (a.GetDimNum() != 2 && !multi) Reject("a has shape " + Text(a) + "; it must be [r, in] or [n, r, in]");
    d.n = multi ? a.GetDim(0) : 1;
    d.r = a.GetDim(multi ? 1 : 0);
    if (a.GetDim(a.GetDimNum() - 1) != d.in) Reject("a has shape " + Text(a) + "; its last dim must be in = " + std::to_string(d.in));
    const bool bOk = b.GetDimNum() == a.GetDimNum() && (!multi || b.GetDim(0) == d.n) &&
                     b.GetDim(b.GetDimNum() - 2) == d.out && b.GetDim(b.GetDimNum() - 1) == d.r;
    if (!bOk)
        Reject("b has shape " + Text(b) + "; with a " + Text(a) + " it must be " +
               (multi ? "[n, out, r] = (" + std::to_string(d.n) + ", " : "[out, r] = (") + std::to_string(d.out) + ", " +
               std::to_string(d.r) + ")");
    if (d.r < 1 || d.n < 1 || d.in < 1 || d.out < 1)
        Reject("a " + Text(a) + " and w " + Text(w) + " give r = " + std::to_string(d.r) + ", n = " + std::to_string(d.n) +
               ", in = " + std::to_string(d.in) + ", out = " + std::to_string(d.out) + "; each must be at least 1");
    if (multi && ids == nullptr)
        Reject("a has shape " + Text(a) + " (n adapters) but no adapter_ids came; pass one int32 id per row of x "
               "(-1 for no adapter), or a 2-D a [r, in] for one adapter on every row");
    if (ids != nullptr) {
        int64_t count = 1;
        for (size_t i = 0; i < ids->GetDimNum(); ++i) count *= ids->GetDim(i);
        if (count != d.m || ids->GetDimNum() < 1)
            Reject("adapter_ids has shape " + Text(*ids) + "; it needs one id per row of x: " + std::to_string(d.m) +
                   " ids (x's leading dims, or flat)");
    }
    // Each of in, out and n·r is a row stride of a GM -> L1 copy (Nd2NzParams.srcDValue, 16 bits).
    if (d.in > 65535 || d.out > 65535 || d.n * d.r > 65535 || d.m > INT32_MAX)
        Reject("in = " + std::to_string(d.in) + ", out = " + std::to_string(d.out) + ", n * r = " + std::to_string(d.n * d.r) +
               ", M = " + std::to_string(d.m) + ": in, out and n * r must each be at most 65535 (row strides of the cube's "
               "GM -> L1 copy are 16-bit), M at most 2^31 - 1; split the layer");
    return d;
}

Dims CheckContext(gert::InferShapeContext* c) {
    return Check(*c->GetInputShape(DY), *c->GetInputShape(X), *c->GetInputShape(W), *c->GetInputShape(A),
                 *c->GetInputShape(B), c->GetOptionalInputShape(IDS), c->GetOptionalInputShape(X_LORA));
}

// The ids, read on the host (ValueDepend): each in -1..n-1.
void CheckIds(const gert::Tensor* ids, const Dims& d) {
    if (ids == nullptr || ids->GetData<int32_t>() == nullptr) return;
    const int32_t* v = ids->GetData<int32_t>();
    for (int64_t i = 0; i < d.m; ++i)
        if (v[i] < -1 || v[i] >= d.n)
            Reject("adapter_ids[" + std::to_string(i) + "] = " + std::to_string(v[i]) + " is not an adapter: a has " +
                   std::to_string(d.n) + " (ids 0.." + std::to_string(d.n - 1) + ", or -1 for none)");
}
}  // namespace

namespace optiling {
namespace {
using matmul_tiling::CubeFormat;
using matmul_tiling::TPosition;

// One Matmul's tiling: A (m x k, or stored k x m with transA), B (k x n, or n x k with transB), C of cType.
template <class Api>
bool Plan(Api& mm, matmul_tiling::DataType in, matmul_tiling::DataType c, bool transA, bool transB, int64_t m,
          int64_t n, int64_t k, TCubeTiling& out, int32_t baseM = -1, int32_t baseN = -1) {
    mm.SetAType(TPosition::GM, CubeFormat::ND, in, transA);
    mm.SetBType(TPosition::GM, CubeFormat::ND, in, transB);
    mm.SetCType(TPosition::GM, CubeFormat::ND, c);
    mm.SetBiasType(TPosition::GM, CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT);
    mm.SetShape(int32_t(m), int32_t(n), int32_t(k));
    mm.SetOrgShape(int32_t(m), int32_t(n), int32_t(k));
    mm.SetBias(false);
    mm.SetBufferSpace(-1, -1, -1);
    if (baseM > 0 || baseN > 0) mm.SetFixSplit(baseM, baseN, -1);
    return mm.GetTiling(out) != -1;
}

uint64_t Take(uint64_t& at, uint64_t bytes) {
    const uint64_t start = at;
    at += (bytes + 511) / 512 * 512;
    return start;
}
}  // namespace

// The bit pattern of v in float16 or bfloat16, rounded to nearest even (Note [Scale on the cube]).
uint16_t Bits16(float v, bool bf16) {
    uint32_t f;
    std::memcpy(&f, &v, 4);
    if (bf16) return uint16_t((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
    const uint32_t sign = (f >> 16) & 0x8000u, mag = f & 0x7fffffffu;
    if (mag >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds past 65504: inf
    if (mag < 0x38800000u) {                                  // float16 subnormal (or zero)
        const float a = std::fabs(v) * 16777216.0f;           // in units of 2^-24, exact
        return uint16_t(sign | uint32_t(std::nearbyint(a)));
    }
    const uint32_t r = mag + 0xfffu + ((mag >> 13) & 1u);
    return uint16_t(sign | ((r - 0x38000000u) >> 13));
}

static ge::graphStatus TilingFunc(gert::TilingContext* context) {
    const gert::Tensor* ids = context->GetOptionalInputTensor(IDS);
    const gert::StorageShape* idsShape = context->GetOptionalInputShape(IDS);
    const gert::StorageShape* xLora = context->GetOptionalInputShape(X_LORA);
    const Dims d = Check(context->GetInputShape(DY)->GetStorageShape(), context->GetInputShape(X)->GetStorageShape(),
                         context->GetInputShape(W)->GetStorageShape(), context->GetInputShape(A)->GetStorageShape(),
                         context->GetInputShape(B)->GetStorageShape(),
                         idsShape == nullptr ? nullptr : &idsShape->GetStorageShape(),
                         xLora == nullptr ? nullptr : &xLora->GetStorageShape());
    CheckIds(ids, d);
    if (xLora != nullptr && context->GetInputDesc(X_LORA)->GetDataType() != context->GetInputDesc(X)->GetDataType())
        Reject("x_lora's dtype differs from x's; x_lora is the LoRA branch's input (x after dropout) and must have "
               "x's dtype");
    const float* scale = context->GetAttrs()->GetFloat(0);
    if (scale == nullptr) return ge::GRAPH_FAILED;
    const bool bf16 = context->GetInputDesc(X)->GetDataType() == ge::DT_BF16;
    const auto dt = bf16 ? matmul_tiling::DataType::DT_BF16 : matmul_tiling::DataType::DT_FLOAT16;
    platform_ascendc::PlatformAscendC platform(context->GetPlatformInfo());
    const int64_t blocks = platform.GetCoreNumAic(), R = d.n * d.r;
    LoraMatmulGradCustomTilingData t;
    t.set_m(uint32_t(d.m)), t.set_in(uint32_t(d.in)), t.set_out(uint32_t(d.out)), t.set_rank(uint32_t(d.r));
    t.set_adapters(uint32_t(d.n)), t.set_hasIds(ids != nullptr ? 1 : 0), t.set_scale(*scale);
    t.set_hasXLora(xLora != nullptr ? 1 : 0);
    const int64_t rowsPer = ((d.m + blocks - 1) / blocks + 15) / 16 * 16, rowsTile = std::min(rowsPer, d.m);
    t.set_rowsPerBlock(uint32_t(rowsPer));
    matmul_tiling::MatmulApiTiling g(platform), h(platform), s(platform), dxl(platform);
    matmul_tiling::MultiCoreMatmulTiling dx(platform), da(platform), db(platform);
    for (auto* mc : {&dx, &da, &db}) mc->SetDim(int32_t(blocks));
    // Note [Thin tiles]: a rank-r product done in many thin base blocks reloads its r-wide operand into L0
    // once per block, one LoadData per 16 rows of K; one block as tall as the share loads it once.
    const int32_t rowsBase = int32_t(std::min<int64_t>(256, (rowsTile + 15) / 16 * 16));
    const int32_t inBase = int32_t(std::min<int64_t>(256, ((d.in + blocks - 1) / blocks + 15) / 16 * 16));
    const int32_t outBase = int32_t(std::min<int64_t>(256, ((d.out + blocks - 1) / blocks + 15) / 16 * 16));
    if (!Plan(g, dt, dt, false, false, rowsTile, d.r, d.out, t.g, rowsBase) ||
        !Plan(h, dt, dt, false, true, rowsTile, R, d.in, t.h, rowsBase) ||
        !Plan(s, dt, dt, false, false, rowsTile, 16, 16, t.s) || !Plan(dx, dt, dt, false, false, d.m, d.in, d.out, t.dx) ||
        !Plan(dxl, dt, dt, false, false, t.dx.singleCoreM, t.dx.singleCoreN, R, t.dxl) ||
        !Plan(da, dt, dt, true, false, R, d.in, d.m, t.da, -1, inBase) || !Plan(db, dt, dt, true, false, d.out, d.r, d.m, t.db, outBase))
        return ge::GRAPH_FAILED;
    uint16_t consts[512] = {};  // s·I, then 0, 16 x 16 each
    for (int i = 0; i < 16; ++i) consts[i * 16 + i] = Bits16(*scale, bf16);
    t.set_consts(consts);
    uint64_t at = 0;
    const uint64_t lowrank = uint64_t(d.m) * R * 2;
    t.set_wsGt(Take(at, lowrank)), t.set_wsHt(Take(at, lowrank)), t.set_wsGs(Take(at, lowrank)), t.set_wsHs(Take(at, lowrank));
    context->SetBlockDim(uint32_t(blocks));
    t.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());
    context->GetRawTilingData()->SetDataSize(t.GetDataSize());
    context->GetWorkspaceSizes(1)[0] = platform.GetLibApiWorkSpaceSize() + at;
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context) {
    CheckContext(context);
    *context->GetOutputShape(0) = *context->GetInputShape(X);
    *context->GetOutputShape(1) = *context->GetInputShape(A);
    *context->GetOutputShape(2) = *context->GetInputShape(B);
    return GRAPH_SUCCESS;
}
static graphStatus InferDataType(gert::InferDataTypeContext* context) {
    for (size_t i = 0; i < 3; ++i) context->SetOutputDataType(i, context->GetInputDataType(X));
    return GRAPH_SUCCESS;
}
}  // namespace ge

namespace ops {
class LoraMatmulGradCustom : public OpDef {
public:
    explicit LoraMatmulGradCustom(const char* name) : OpDef(name) {
        for (const char* input : {"dy", "x", "w", "a", "b"})
            this->Input(input).ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("adapter_ids").ParamType(OPTIONAL).ValueDepend(OPTIONAL).DataType({ge::DT_INT32, ge::DT_INT32})
            .Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("x_lora").ParamType(OPTIONAL).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        for (const char* output : {"dx", "da", "db"})
            this->Output(output).ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_BF16}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Attr("scale").AttrType(OPTIONAL).Float(1.0);
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc);
        this->AICore().AddConfig("ascend910b");
    }
};
OP_ADD(LoraMatmulGradCustom);
}  // namespace ops
