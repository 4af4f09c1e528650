// opkit: OPKIT_NOT_IMPLEMENTED(Name) declares an Ascend C API that opkit does not implement yet, so
// that a kernel calling it fails to compile with one line naming it:
//   error: static assertion failed: opkit does not implement Sign yet; see docs/api-reference.md
// instead of g++'s "'Sign' was not declared in this scope". The lists: opkit/kernel/not_implemented.h
// (kernel_operator.h) and lib/not_implemented_tiling.h (tiling/tiling_api.h).
//
// Note [Not implemented yet]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
// Each name becomes four function templates taking C varargs (`...`):
//   - `...` ranks below every other conversion, so any other function of that name a kernel can
//     call (one of its own, found through `using namespace AscendC`) wins overload resolution; the
//     declaration only catches calls that would otherwise find nothing;
//   - the static_assert depends on the template arguments, so it fires only when a call is compiled,
//     never for a kernel that does not call the API;
//   - the template heads take what Ascend C calls write: nothing (Sign(dst, src, n)), a type and
//     values (Sign<half, false>), two or three types then values (Cast-like APIs), or a value first
//     (DataSyncBarrier<MemDsbT::ALL>). A call passing a class-type template argument (a config
//     struct, C++20) or a braced list `{...}` matches none, and g++ says "no matching function"
//     with the candidate at its OPKIT_NOT_IMPLEMENTED line.
// The name is in parentheses so that a function-like macro a program defined with that name first
// does not expand there. Only names opkit declares nowhere in namespace AscendC go in the lists:
// `python -m opkit apiref` fails on a name that is both (Note [SoC markers] in
// python/opkit/apiref.py has the rest of that tool), so implementing one means taking it out.
#pragma once

namespace opkit {
namespace detail {
template <typename...>
inline constexpr bool kNotImplemented = false;  // false, once the template arguments are known
}  // namespace detail
}  // namespace opkit

#define OPKIT_NOT_IMPLEMENTED(NAME)                                                                    \
    template <typename T = void, auto... V>                                                            \
    inline void(NAME)(...) {                                                                           \
        static_assert(::opkit::detail::kNotImplemented<T>, "opkit does not implement " #NAME " yet; see docs/api-reference.md"); \
    }                                                                                                  \
    template <typename T, typename U, auto... V>                                                       \
    inline void(NAME)(...) {                                                                           \
        static_assert(::opkit::detail::kNotImplemented<T>, "opkit does not implement " #NAME " yet; see docs/api-reference.md"); \
    }                                                                                                  \
    template <typename T, typename U, typename W, auto... V>                                           \
    inline void(NAME)(...) {                                                                           \
        static_assert(::opkit::detail::kNotImplemented<T>, "opkit does not implement " #NAME " yet; see docs/api-reference.md"); \
    }                                                                                                  \
    template <auto V0, auto... V>                                                                      \
    inline void(NAME)(...) {                                                                           \
        static_assert(::opkit::detail::kNotImplemented<decltype(V0)>, "opkit does not implement " #NAME " yet; see docs/api-reference.md"); \
    }                                                                                                  \
    static_assert(true, "a `;` after OPKIT_NOT_IMPLEMENTED(...)")
