#!/bin/bash
# opkit test fixture: usage bash run.sh -r cpu -v SOC (the 2024 convention)
cmake -B build -DRUN_MODE=cpu && cmake --build build && cp build/ascendc_kernels_bbit ./
rm -rf input output; mkdir -p input output
python3 scripts/gen_data.py
./ascendc_kernels_bbit
python3 scripts/verify_result.py output/output_z.bin output/golden.bin
