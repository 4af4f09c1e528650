// opkit's acl/acl.h: the slice of CANN's acl runtime interface that operator programs include.
//
// This file carries the base types and the fp16 helpers that CPU-debug programs use
// (data_utils.h in the official samples). The device runtime (aclInit, streams, memory, aclnn
// tensors) arrives with opkit's aclnn support; until then only what is declared here exists.
#pragma once

#include <cstddef>
#include <cstdint>

#include "opkit/kernel/types.h"

typedef int aclError;
typedef uint16_t aclFloat16;

static const int ACL_SUCCESS = 0;
static const int ACL_ERROR_NONE = 0;
static const int ACL_ERROR_INVALID_PARAM = 100000;

inline float aclFloat16ToFloat(aclFloat16 value) { return opkit::HalfBitsToFloat(value); }
inline aclFloat16 aclFloatToFloat16(float value) { return opkit::FloatToHalfBits(value); }
