# Copyright (c) mmir contributors. All rights reserved.
"""tools/benchmarks/cim_step.py on the demo models (numbers unchecked)."""
import os
import re

from ..conftest import run_tool

VARIANTS = ('respix-vit', 'revdet-vit', 'respix-resnet50')
# fp32 runs in the parent's check; one precision keeps the test short.
PRECISION = 'bf16'
PHASES = ('tokenizer encode', 'generator + CE', 'sample + decode + resize',
          'enhancer + head loss', 'backward', 'optimizer step')
ROW = re.compile(r'^(respix-vit|revdet-vit|respix-resnet50)\s+bf16\s+cpu\s+'
                 r'(\d+\.\d+)\s', re.MULTILINE)
CELL = re.compile(r'(\d+\.\d+)\s+(\d+\.\d+)%')


def breakdowns(out: str) -> list:
    """The breakdown tables, each as its lines after the title: the column
    names, one line per phase, the two totals."""
    lines = out.splitlines()
    return [
        lines[index + 1:index + 10] for index, line in enumerate(lines)
        if line.startswith('where the time goes, ')
    ]


def test_benchmark_checks_the_tokenizer_and_shows_where_time_goes():
    command = [
        'tools/benchmarks/cim_step.py', '--arch', 'demo', '--batch-size', '2',
        '--iters', '1', '--warmup', '0', '--devices', 'cpu', '--precisions',
        PRECISION
    ]
    # One thread: tiny steps are slow when threads contend for the cores.
    out = run_tool(command, env=dict(os.environ, OMP_NUM_THREADS='1')).stdout
    check = [line for line in out.splitlines() if 'tokenizer check' in line]
    assert len(check) == 1 and check[0].startswith('tokenizer check: ok'), out

    rows = {variant: float(speed) for variant, speed in ROW.findall(out)}
    assert set(rows) == set(VARIANTS), out
    assert all(speed > 0 for speed in rows.values())

    tables = breakdowns(out)
    assert len(tables) == 1, out
    header, *phase_lines, sum_line, full_line = tables[0]
    assert header.split() == ['phase', *VARIANTS], out
    milliseconds, shares = [], []
    for phase, line in zip(PHASES, phase_lines, strict=True):
        assert line.startswith(phase), out
        cells = CELL.findall(line[len(phase):])
        assert len(cells) == len(VARIANTS), line
        milliseconds.append([float(ms) for ms, _ in cells])
        shares.append([float(share) for _, share in cells])
    # Each share is rounded to 0.1 %, each time to 0.1 ms.
    for total in map(sum, zip(*shares)):
        assert abs(total - 100) < 0.5, out
    assert sum_line.startswith('sum of phases'), out
    sums = [float(x) for x in sum_line.split()[3:]]
    for total, printed in zip(map(sum, zip(*milliseconds)), sums,
                              strict=True):
        assert abs(total - printed) < 0.5, out
    assert full_line.startswith('full step (table)'), out
    assert len(full_line.split()) == 3 + len(VARIANTS), out
