// A sanitizer build's hook (Note [Sanitizer build] in CMakeLists.txt; compiled only with OPKIT_SANITIZE).
//
// Note [Sanitizer reports] (python/opkit/sanitizers.py) sends every report to files so that a report in
// a forked child or a CPU-debug program cannot be hidden by a test that expects that process to fail.
// AddressSanitizer writes its reports to ASAN_OPTIONS' log_path. GCC's UndefinedBehaviorSanitizer is a
// second runtime (libubsan) that writes to stderr whatever its log_path says (GCC 12, measured here).
// UBSan calls __ubsan_on_report (a weak hook, for users to define) for each error before it stops the
// process, so this definition copies a one-line summary of it into AddressSanitizer's report file,
// through ASan's own writer (libasan comes first in every process: it is preloaded or linked first).
#ifdef OPKIT_SANITIZE
#include <cstdio>

extern "C" {
void __ubsan_get_current_report_data(const char** kind, const char** message, const char** file, unsigned* line,
                                     unsigned* column, char** address);
void __sanitizer_report_error_summary(const char* summary);

__attribute__((visibility("default"))) void __ubsan_on_report() {
    const char *kind = "?", *message = "", *file = "?";
    unsigned line = 0, column = 0;
    char* address = nullptr;
    __ubsan_get_current_report_data(&kind, &message, &file, &line, &column, &address);
    char text[2048];
    std::snprintf(text, sizeof text, "SUMMARY: UndefinedBehaviorSanitizer: %s %s:%u:%u: %s\n", kind, file, line,
                  column, message);
    __sanitizer_report_error_summary(text);
}
}
#endif
