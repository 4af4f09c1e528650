// opkit: securec's bounds-checked functions (securec.h), with the library's return codes and its
// rule that a violation clears the destination when the destination itself is usable.
#include "securec.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

bool BadMax(size_t destMax, size_t limit) { return destMax == 0 || destMax > limit; }

// [a, a+n) and [b, b+m) share a byte
bool Overlap(const void* a, size_t n, const void* b, size_t m) {
    auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
    return x < y + m && y < x + n;
}

// strcat_s / strncat_s once the arguments are checked: append srcLen characters of src
errno_t Append(char* dest, size_t destMax, const char* src, size_t srcLen) {
    size_t destLen = strnlen(dest, destMax);
    if (destLen == destMax) {  // dest holds no terminator
        dest[0] = '\0';
        return EINVAL_AND_RESET;
    }
    if (Overlap(dest, destMax, src, srcLen + 1) && Overlap(dest, destLen + srcLen + 1, src, srcLen + 1)) {
        dest[0] = '\0';
        return EOVERLAP_AND_RESET;
    }
    if (destLen + srcLen >= destMax) {
        dest[0] = '\0';
        return ERANGE_AND_RESET;
    }
    std::memcpy(dest + destLen, src, srcLen);
    dest[destLen + srcLen] = '\0';
    return EOK;
}

}  // namespace

extern "C" {

errno_t memcpy_s(void* dest, size_t destMax, const void* src, size_t count) {
    if (BadMax(destMax, SECUREC_MEM_MAX_LEN)) return ERANGE;
    if (dest == nullptr) return EINVAL;
    if (count > destMax) {
        std::memset(dest, 0, destMax);
        return ERANGE_AND_RESET;
    }
    if (src == nullptr) {
        std::memset(dest, 0, destMax);
        return EINVAL_AND_RESET;
    }
    if (dest == src || count == 0) return EOK;
    if (Overlap(dest, count, src, count)) {
        std::memset(dest, 0, destMax);
        return EOVERLAP_AND_RESET;
    }
    std::memcpy(dest, src, count);
    return EOK;
}

errno_t memmove_s(void* dest, size_t destMax, const void* src, size_t count) {
    if (BadMax(destMax, SECUREC_MEM_MAX_LEN)) return ERANGE;
    if (dest == nullptr) return EINVAL;
    if (src == nullptr) {
        std::memset(dest, 0, destMax);
        return EINVAL_AND_RESET;
    }
    if (count > destMax) {
        std::memset(dest, 0, destMax);
        return ERANGE_AND_RESET;
    }
    if (count > 0 && dest != src) std::memmove(dest, src, count);
    return EOK;
}

errno_t memset_s(void* dest, size_t destMax, int c, size_t count) {
    if (BadMax(destMax, SECUREC_MEM_MAX_LEN)) return ERANGE;
    if (dest == nullptr) return EINVAL;
    if (count > destMax) {
        std::memset(dest, c, destMax);  // securec fills what fits, then reports the range error
        return ERANGE_AND_RESET;
    }
    std::memset(dest, c, count);
    return EOK;
}

errno_t strncpy_s(char* strDest, size_t destMax, const char* strSrc, size_t count) {
    if (BadMax(destMax, SECUREC_STRING_MAX_LEN)) return ERANGE;
    if (strDest == nullptr) return EINVAL;
    if (strSrc == nullptr) {
        strDest[0] = '\0';
        return EINVAL_AND_RESET;
    }
    if (count > SECUREC_STRING_MAX_LEN) {
        strDest[0] = '\0';
        return ERANGE_AND_RESET;
    }
    size_t n = strnlen(strSrc, count < destMax ? count : destMax);
    if (n >= destMax) {  // no room for the terminator
        strDest[0] = '\0';
        return ERANGE_AND_RESET;
    }
    if (strDest == strSrc) return EOK;
    if (Overlap(strDest, n + 1, strSrc, n + 1)) {
        strDest[0] = '\0';
        return EOVERLAP_AND_RESET;
    }
    std::memcpy(strDest, strSrc, n);
    strDest[n] = '\0';
    return EOK;
}

errno_t strcpy_s(char* strDest, size_t destMax, const char* strSrc) {
    return strncpy_s(strDest, destMax, strSrc, SECUREC_STRING_MAX_LEN);
}

errno_t strcat_s(char* strDest, size_t destMax, const char* strSrc) {
    if (BadMax(destMax, SECUREC_STRING_MAX_LEN)) return ERANGE;
    if (strDest == nullptr) return EINVAL;
    if (strSrc == nullptr) {
        strDest[0] = '\0';
        return EINVAL_AND_RESET;
    }
    return Append(strDest, destMax, strSrc, strnlen(strSrc, destMax));
}

errno_t strncat_s(char* strDest, size_t destMax, const char* strSrc, size_t count) {
    if (BadMax(destMax, SECUREC_STRING_MAX_LEN)) return ERANGE;
    if (strDest == nullptr) return EINVAL;
    if (strSrc == nullptr || count > SECUREC_STRING_MAX_LEN) {
        strDest[0] = '\0';
        return strSrc == nullptr ? EINVAL_AND_RESET : ERANGE_AND_RESET;
    }
    return Append(strDest, destMax, strSrc, strnlen(strSrc, count < destMax ? count : destMax));
}

int vsnprintf_s(char* strDest, size_t destMax, size_t count, const char* format, va_list argList) {
    if (strDest == nullptr || format == nullptr || BadMax(destMax, SECUREC_STRING_MAX_LEN) ||
        count > SECUREC_STRING_MAX_LEN) {
        if (strDest != nullptr && destMax > 0 && destMax <= SECUREC_STRING_MAX_LEN) strDest[0] = '\0';
        return -1;
    }
    if (count < destMax) {  // cut at count characters; a cut output still reports -1
        int n = std::vsnprintf(strDest, count + 1, format, argList);
        return n < 0 || size_t(n) > count ? -1 : n;
    }
    int n = std::vsnprintf(strDest, destMax, format, argList);
    if (n < 0 || size_t(n) >= destMax) {
        strDest[0] = '\0';
        return -1;
    }
    return n;
}

int snprintf_s(char* strDest, size_t destMax, size_t count, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf_s(strDest, destMax, count, format, ap);
    va_end(ap);
    return n;
}

int vsprintf_s(char* strDest, size_t destMax, const char* format, va_list argList) {
    return vsnprintf_s(strDest, destMax, destMax, format, argList);  // count >= destMax: no cut allowed
}

int sprintf_s(char* strDest, size_t destMax, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsprintf_s(strDest, destMax, format, ap);
    va_end(ap);
    return n;
}

}  // extern "C"
