#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# Usage: tools/dist_test.sh CONFIG CHECKPOINT NGPUS [test.py args]
# Environment: NNODES, NODE_RANK, MASTER_ADDR, PORT (see dist_launch.sh).
exec "$(dirname "$0")/dist_launch.sh" test.py "$3" "$1" "$2" "${@:4}"
