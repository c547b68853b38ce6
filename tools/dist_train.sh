#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# Usage: tools/dist_train.sh CONFIG NGPUS [train.py args]
# Environment: NNODES, NODE_RANK, MASTER_ADDR, PORT (see dist_launch.sh).
exec "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
