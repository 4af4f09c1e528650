#!/bin/bash
# opkit test fixture: usage bash run.sh scale_custom SOC CORE_TYPE RUN_MODE (the 2023 convention)
FILE_NAME=$1
SOC_VERSION=$2
CORE_TYPE=$3
RUN_MODE=$4
python3 $FILE_NAME.py
function compile_and_execute() {
    mkdir -p build; cd build; cmake .. -Dsmoke_testcase=$1 -Dproduct_type=$2 && make ${1}_${4}; cd -
    ./${1}_${4}
}
compile_and_execute $FILE_NAME $SOC_VERSION $CORE_TYPE $RUN_MODE
md5sum output/*.bin
