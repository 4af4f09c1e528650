// Host-side helpers shared by the CPU-debug test programs: raw binary files in the directory the
// test passes as argv[2]. Not kernel code; nothing here touches the Ascend C API.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

inline std::string PathIn(const char* dir, const char* name) { return std::string(dir) + "/" + name; }

// Reads exactly `bytes` bytes of dir/name into dst; any shortfall stops the program with status 2
// (status 1 is reserved for opkit's kernel errors).
inline void ReadBin(const char* dir, const char* name, void* dst, size_t bytes) {
    std::string path = PathIn(dir, name);
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr || std::fread(dst, 1, bytes, f) != bytes) {
        std::fprintf(stderr, "test program: cannot read %zu bytes from %s\n", bytes, path.c_str());
        std::exit(2);
    }
    std::fclose(f);
}

// The size of dir/name in bytes (status 2 if it is missing).
inline size_t BinSize(const char* dir, const char* name) {
    std::string path = PathIn(dir, name);
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        std::fprintf(stderr, "test program: cannot open %s\n", path.c_str());
        std::exit(2);
    }
    std::fseek(f, 0, SEEK_END);
    long n = std::ftell(f);
    std::fclose(f);
    return static_cast<size_t>(n);
}

inline void WriteBin(const char* dir, const char* name, const void* src, size_t bytes) {
    std::string path = PathIn(dir, name);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(src, 1, bytes, f) != bytes) {
        std::fprintf(stderr, "test program: cannot write %s\n", path.c_str());
        std::exit(2);
    }
    std::fclose(f);
}

// argv[1] names the case; unknown cases stop with status 2 so a typo in a test cannot pass.
inline int UnknownCase(const char* prog, const char* name) {
    std::fprintf(stderr, "%s: unknown case '%s'\n", prog, name);
    return 2;
}
