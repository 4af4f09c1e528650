// host_attrs: gert::RuntimeAttrs::GetAttrPointer<T> for every attr kind, as an op_host TilingFunc
// reads them (the official MoeSoftMaxTopk op_host reads its Int attr as uint32_t).
//
// Prints one line per read; no kernel runs.
// Tested by: pytest tests/runtime/test_cpu_debug.py -k host_attrs
#include <cstdio>
#include <vector>

#include "register/op_def_registry.h"

int main() {
    std::vector<gert::AttrValue> v(6);
    v[0].kind = gert::AttrValue::INT;
    v[0].i = 0x100000007LL;  // the low 32 bits are 7
    v[1].kind = gert::AttrValue::FLOAT;
    v[1].f = 0.25f;
    v[2].kind = gert::AttrValue::BOOL;
    v[2].b = true;
    v[3].kind = gert::AttrValue::STRING;
    v[3].s = "mean";
    v[4].kind = gert::AttrValue::LIST_INT;
    v[4].listInt = gert::TypedContinuousVector<int64_t>(std::vector<int64_t>{3, 4, 5});
    const gert::RuntimeAttrs attrs(v);
    std::printf("int as uint32 %u\n", *attrs.GetAttrPointer<uint32_t>(0));
    std::printf("int as int64 %lld\n", static_cast<long long>(*attrs.GetAttrPointer<int64_t>(0)));
    std::printf("float %g\n", *attrs.GetAttrPointer<float>(1));
    std::printf("bool %d\n", int(*attrs.GetAttrPointer<bool>(2)));
    std::printf("string %s\n", attrs.GetAttrPointer<char>(3));
    const auto* list = attrs.GetAttrPointer<gert::TypedContinuousVector<int64_t>>(4);
    std::printf("list %zu %lld\n", list->GetSize(), static_cast<long long>(list->GetData()[2]));
    std::printf("unset %d, out of range %d\n", attrs.GetAttrPointer<float>(5) == nullptr,
                attrs.GetAttrPointer<float>(6) == nullptr);
    return 0;
}
