# Copyright (c) mmir contributors. All rights reserved.
"""tools/benchmarks/itpn_step.py on the demo layout (numbers unchecked)."""
import os
import re

from ..conftest import run_tool

VARIANTS = ('mim', 'mim+mfm', 'reference')
PRECISIONS = ('fp32', 'bf16')
ROW = re.compile(r'^(mim|mim\+mfm|reference)\s+(fp32|bf16)\s+cpu\s+'
                 r'(\d+\.\d+)\s', re.MULTILINE)
RATIO = re.compile(r'^(reference / mim|mim\+mfm / mim)\s+(fp32|bf16)\s+cpu'
                   r'\s+time \d+\.\d+x', re.MULTILINE)


def test_benchmark_checks_the_reference_and_prints_every_variant():
    command = [
        'tools/benchmarks/itpn_step.py', '--arch', 'demo', '--img-size', '32',
        '--batch-size', '2', '--iters', '1', '--warmup', '0', '--devices',
        'cpu'
    ]
    # One thread: tiny steps are slow when threads contend for the cores.
    out = run_tool(command, env=dict(os.environ, OMP_NUM_THREADS='1')).stdout
    check = [line for line in out.splitlines() if 'equivalence check' in line]
    assert len(check) == 1 and check[0].startswith(
        'equivalence check: ok'), out
    rows = {(variant, precision): float(speed)
            for variant, precision, speed in ROW.findall(out)}
    assert set(rows) == {(v, p) for v in VARIANTS for p in PRECISIONS}, out
    assert all(speed > 0 for speed in rows.values())
    assert set(RATIO.findall(out)) == {(r, p)
                                       for r in ('reference / mim',
                                                 'mim+mfm / mim')
                                       for p in PRECISIONS}, out
