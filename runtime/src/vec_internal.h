// opkit: helpers shared by the runtime's vector translation units.
#pragma once

#include <cstdint>

namespace opkit {
namespace rt {

void HalfToFloat(const uint16_t* s, float* d, int64_t n);
void FloatToHalf(const float* s, uint16_t* d, int64_t n);
void Bf16ToFloat(const uint16_t* s, float* d, int64_t n);
void FloatToBf16(const float* s, uint16_t* d, int64_t n);

}  // namespace rt
}  // namespace opkit
