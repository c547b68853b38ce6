# Copyright (c) mmir contributors. All rights reserved.
"""Shared fixtures: the repository root and a small SynthIR tree."""
import os.path as osp
import subprocess
import sys

import pytest

from mmir.datasets.synthir import generate_synthir

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(
    REPO, 'configs/demo/'
    'upernet-llfpn_vit-tiny-p8_unip-pre_1xb8-1k_synthir-soda-64x64.py')


@pytest.fixture(scope='session')
def synthir_root(tmp_path_factory) -> str:
    """A 30-image, 64x80 SynthIR tree in every layout."""
    root = str(tmp_path_factory.mktemp('synthir'))
    generate_synthir(root, num_images=30, height=64, width=80, seed=3)
    return root


def run_tool(args: list, cwd: str = REPO, env: dict = None,
             check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the repository and capture its output."""
    proc = subprocess.run([sys.executable, *args],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc
