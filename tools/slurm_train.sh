#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# Usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SRUN_ARGS=...] \
#     tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]
exec "$(dirname "$0")/slurm_launch.sh" train.py "$1" "$2" "$3" \
    --work-dir="$4" "${@:5}"
