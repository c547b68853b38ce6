# Copyright (c) mmir contributors. All rights reserved.
"""tools/benchmarks/pad_mae_step.py on the demo model (numbers unchecked)."""
import os
import re

from ..conftest import run_tool

ROW = re.compile(r'^(mmir|lr0)\s+(fp32|bf16)\s+cpu\s+(\d+\.\d+)\s',
                 re.MULTILINE)


def test_benchmark_checks_the_step_and_prints_both_variants():
    command = [
        'tools/benchmarks/pad_mae_step.py', '--tiny', '--iters', '1',
        '--warmup', '0', '--devices', 'cpu'
    ]
    # One thread: tiny steps are slow when threads contend for the cores.
    out = run_tool(command, env=dict(os.environ, OMP_NUM_THREADS='1')).stdout
    check = [line for line in out.splitlines() if 'step check' in line]
    assert len(check) == 1 and check[0].endswith('OK'), out
    rows = {(variant, precision): float(speed)
            for variant, precision, speed in ROW.findall(out)}
    assert set(rows) == {(v, p)
                         for v in ('mmir', 'lr0')
                         for p in ('fp32', 'bf16')}, out
    assert all(speed > 0 for speed in rows.values())
