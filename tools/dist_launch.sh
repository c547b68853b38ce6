#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# Usage: tools/dist_launch.sh SCRIPT NPROC [script args]
# Runs tools/SCRIPT (train.py or test.py) in NPROC processes with torchrun.
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without GPUs the processes run on CPU with the gloo backend.
set -euo pipefail
SCRIPT=$1
NPROC=$2
PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
python -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$(dirname "$0")/$SCRIPT" "${@:3}" --launcher pytorch
