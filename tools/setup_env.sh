#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# Create (or reuse) the Python environment mmir runs in and print its path.
#
# The environment lives outside the clone, under
# ${MMIR_VENV:-${XDG_CACHE_HOME:-~/.cache}/mmir/venv-<hash of requirements>},
# so every clone with the same requirements reuses it.  mmcv 2.1.0 has no
# binary wheel in the registry: a folder holding a prebuilt wheel can be
# named with MMIR_WHEELHOUSE (or PIP_FIND_LINKS), otherwise mmcv is compiled
# from source with its CPU ops (about 18 minutes on 2 cores).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
req="$repo/requirements"
hash=$(cat "$req/mminstall.txt" "$req/runtime.txt" "$req/tests.txt" \
    "$req/optional.txt" | sha256sum | cut -c1-12)
venv=${MMIR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mmir/venv-$hash}

log() { echo "[setup_env] $*" >&2; }

if [ ! -f "$venv/.complete" ]; then
    log "creating $venv"
    python3 -m venv "$venv"
    pip=("$venv/bin/python" -m pip install --disable-pip-version-check)
    links=()
    if [ -n "${MMIR_WHEELHOUSE:-}" ]; then
        links=(--find-links "$MMIR_WHEELHOUSE")
    fi
    "${pip[@]}" 'setuptools>=77.0.3,<81' wheel ninja >&2
    # torch first: mmcv's setup.py imports it.
    "${pip[@]}" $(grep -E '^torch' "$req/mminstall.txt") >&2
    mmcv=$(grep -E '^mmcv' "$req/mminstall.txt")
    if ! "${pip[@]}" "${links[@]}" --only-binary mmcv "$mmcv" >&2; then
        log "no mmcv wheel found: building $mmcv from source"
        MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} \
            "${pip[@]}" --no-build-isolation "$mmcv" >&2
    fi
    "${pip[@]}" "${links[@]}" -r "$req/mminstall.txt" \
        -r "$req/runtime.txt" -r "$req/tests.txt" >&2
    # Last and alone: it overwrites opencv-python's cv2 with a superset.
    "${pip[@]}" --no-deps -r "$req/optional.txt" >&2
    touch "$venv/.complete"
fi
echo "$venv"
