# Copyright (c) mmir contributors. All rights reserved.
"""tools/benchmarks/nmi_had_step.py on the tiny model (numbers unchecked)."""
import re

from ..conftest import run_tool

ROW = re.compile(r'^(mmir|naive|auto)\s+(fp32|bf16)\s+cpu\s+(\d+\.\d+)\s',
                 re.MULTILINE)


def test_benchmark_checks_losses_and_prints_every_variant():
    out = run_tool([
        'tools/benchmarks/nmi_had_step.py', '--tiny', '--iters', '1',
        '--warmup', '0', '--devices', 'cpu'
    ]).stdout
    check = [line for line in out.splitlines() if 'loss check' in line]
    assert len(check) == 1 and check[0].endswith('OK'), out
    rows = {(variant, precision): float(speed)
            for variant, precision, speed in ROW.findall(out)}
    assert set(rows) == {(v, p)
                         for v in ('mmir', 'naive', 'auto')
                         for p in ('fp32', 'bf16')}, out
    assert all(speed > 0 for speed in rows.values())
