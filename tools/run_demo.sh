#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# README's `make demo`: the UNIP row of the SynthIR transfer benchmark
# (tools/benchmarks/synthir_transfer.py) against random initialisation,
# one seed, the smallest label budget, fine-tuning only:
#   1. generate the unlabelled SynthIR pool and the labelled splits;
#   2. pre-train the tiny MAE teacher on the pool;
#   3. distil it into the student with NMI-HAD (teacher layer by NMI);
#   4. fine-tune the student with LL-FPN + UPerNet on 16 labelled images,
#      and the same model from random initialisation;
#   5. print the teacher's per-layer NMI and both test mIoUs.
# Usage: tools/run_demo.sh [WORK_DIR]   (default work_dirs/demo; a rerun
# reuses what is finished there)
set -euo pipefail
cd "$(dirname "$0")/.."
python tools/benchmarks/synthir_transfer.py --work-dir "${1:-work_dirs/demo}" \
    --methods random-64d unip --protocols ft --budgets 16 --seeds 0
