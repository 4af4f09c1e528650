// opkit's securec.h: the bounds-checked memory and string functions of Huawei's securec library,
// which CANN ships and its samples call (memcpy_s and friends). Each checks its destination size
// and reports a violation through its return code instead of overrunning:
//   EOK                 success
//   EINVAL / ERANGE     dest is null / destMax is 0 or above SECUREC_MEM_MAX_LEN: dest untouched
//   EINVAL_AND_RESET    src is null: dest is cleared (memory: destMax zero bytes; string: dest[0] = 0)
//   ERANGE_AND_RESET    the result does not fit in destMax: dest is cleared the same way
//   EOVERLAP_AND_RESET  src and dest overlap (memcpy_s, strcpy_s, strcat_s...): dest is cleared
// memset_s with count > destMax fills destMax bytes and returns ERANGE_AND_RESET. The printf family
// returns the characters written, or -1 on any violation (dest[0] = 0).
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>

#ifndef EOK
#define EOK 0
#endif
#ifndef EINVAL_AND_RESET
#define EINVAL_AND_RESET (EINVAL | 128)
#endif
#ifndef ERANGE_AND_RESET
#define ERANGE_AND_RESET (ERANGE | 128)
#endif
#ifndef EOVERLAP_AND_RESET
#define EOVERLAP_AND_RESET (54 | 128)
#endif
#ifndef SECUREC_MEM_MAX_LEN
#define SECUREC_MEM_MAX_LEN 0x7fffffffUL
#endif
#ifndef SECUREC_STRING_MAX_LEN
#define SECUREC_STRING_MAX_LEN 0x7fffffffUL
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef int errno_t;

errno_t memcpy_s(void* dest, size_t destMax, const void* src, size_t count);
errno_t memmove_s(void* dest, size_t destMax, const void* src, size_t count);
errno_t memset_s(void* dest, size_t destMax, int c, size_t count);
errno_t strcpy_s(char* strDest, size_t destMax, const char* strSrc);
errno_t strncpy_s(char* strDest, size_t destMax, const char* strSrc, size_t count);
errno_t strcat_s(char* strDest, size_t destMax, const char* strSrc);
errno_t strncat_s(char* strDest, size_t destMax, const char* strSrc, size_t count);
int sprintf_s(char* strDest, size_t destMax, const char* format, ...) __attribute__((format(printf, 3, 4)));
int vsprintf_s(char* strDest, size_t destMax, const char* format, va_list argList) __attribute__((format(printf, 3, 0)));
// count: at most this many characters (without the NUL); output cut at count returns -1.
int snprintf_s(char* strDest, size_t destMax, size_t count, const char* format, ...) __attribute__((format(printf, 4, 5)));
int vsnprintf_s(char* strDest, size_t destMax, size_t count, const char* format, va_list argList)
    __attribute__((format(printf, 4, 0)));

#ifdef __cplusplus
}
#endif
