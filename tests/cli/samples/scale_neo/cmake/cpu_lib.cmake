# opkit test fixture: the cpu kernel library (-g -O0 -std=c++17) of the 2024 layout.
add_library(ascendc_kernels_${RUN_MODE} SHARED ${KERNEL_FILES})
target_compile_options(ascendc_kernels_${RUN_MODE} PRIVATE -g -O0 -std=c++17)
