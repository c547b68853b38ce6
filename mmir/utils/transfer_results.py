# Copyright (c) mmir contributors. All rights reserved.
"""Results of the SynthIR transfer benchmark: one JSON per run, a Markdown
table of mean ± std over seeds, its parser, and a plot.

A run is one (method, protocol, label budget, seed): ``protocol`` is
``'ft'`` (fine-tuning) or ``'lp'`` (linear probing).
"""
import json
import math
import os.path as osp
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

PROTOCOLS = {'ft': 'FT', 'lp': 'LP'}
Key = Tuple[str, str, int]  # (method, protocol, budget)
Summary = Dict[Key, Tuple[float, float, int]]  # mean, std, runs


def run_name(method: str, protocol: str, budget: int, seed: int) -> str:
    """File stem of one run's result."""
    return f'{method}_{protocol}_{budget}_seed{seed}'


def write_result(path: str,
                 method: str,
                 protocol: str,
                 budget: int,
                 seed: int,
                 miou: float,
                 settings: Optional[dict] = None) -> None:
    """Write one run's mIoU, and the settings it trained with, as JSON."""
    with open(path, 'w') as file:
        json.dump(
            dict(method=method, protocol=protocol, budget=budget, seed=seed,
                 miou=miou, settings=settings or {}), file)


def read_results(paths: Iterable[str]) -> List[dict]:
    """Read the result files that exist."""
    results = []
    for path in paths:
        if osp.isfile(path):
            with open(path) as file:
                results.append(json.load(file))
    return results


def summarise(results: Iterable[dict]) -> Summary:
    """Mean and sample standard deviation over seeds.

    Args:
        results (Iterable[dict]): Records of :func:`write_result`.

    Returns:
        Summary: (method, protocol, budget) -> (mean, std, runs); std is 0
        for a single run.
    """
    groups: Dict[Key, List[float]] = {}
    for r in results:
        key = (r['method'], r['protocol'], int(r['budget']))
        groups.setdefault(key, []).append(float(r['miou']))
    summary = {}
    for key, values in groups.items():
        mean = sum(values) / len(values)
        var = sum((v - mean)**2 for v in values) / max(len(values) - 1, 1)
        summary[key] = (mean, math.sqrt(var), len(values))
    return summary


def _columns(budgets: Sequence[int],
             protocols: Sequence[str]) -> List[Tuple[str, int]]:
    return [(p, b) for p in protocols for b in budgets]


def markdown_table(summary: Summary,
                   methods: Sequence[str],
                   budgets: Sequence[int],
                   protocols: Sequence[str] = ('ft', 'lp'),
                   pending: Sequence[str] = ()) -> str:
    """The table: one row per method, one column per (protocol, budget).

    Cells read ``mean ± std (n)``; a missing cell is ``-``; methods in
    ``pending`` (not landed yet) read ``pending``.

    Returns:
        str: Markdown text, newline-terminated.
    """
    columns = _columns(budgets, protocols)
    head = ['method'] + [f'{PROTOCOLS[p]} {b} labels' for p, b in columns]
    lines = [
        '| ' + ' | '.join(head) + ' |',
        '| --- |' + ' ---: |' * len(columns)
    ]
    for method in list(methods) + list(pending):
        cells = []
        for protocol, budget in columns:
            value = summary.get((method, protocol, budget))
            if method in pending:
                cells.append('pending')
            elif value is None:
                cells.append('-')
            else:
                cells.append(f'{value[0]:.2f} ± {value[1]:.2f} ({value[2]})')
        lines.append('| ' + ' | '.join([method] + cells) + ' |')
    return '\n'.join(lines) + '\n'


CELL = re.compile(r'^(-?\d+\.\d+) ± (\d+\.\d+) \((\d+)\)$')
HEADER = re.compile(r'^(FT|LP) (\d+) labels$')


def parse_markdown_table(text: str) -> Summary:
    """Read back what :func:`markdown_table` wrote (pending and missing
    cells are skipped).

    Args:
        text (str): The Markdown table.

    Returns:
        Summary: As :func:`summarise`, values rounded as printed.

    Raises:
        ValueError: On a header or cell that the writer cannot produce.
    """
    rows = [[c.strip() for c in line.strip().strip('|').split('|')]
            for line in text.strip().splitlines()]
    names = {v: k for k, v in PROTOCOLS.items()}
    columns = []
    for title in rows[0][1:]:
        match = HEADER.match(title)
        if match is None:
            raise ValueError(f'unexpected column {title!r}')
        columns.append((names[match[1]], int(match[2])))
    summary = {}
    for row in rows[2:]:
        for (protocol, budget), cell in zip(columns, row[1:]):
            if cell in ('-', 'pending'):
                continue
            match = CELL.match(cell)
            if match is None:
                raise ValueError(f'unexpected cell {cell!r} of {row[0]}')
            summary[(row[0], protocol, budget)] = (float(match[1]),
                                                   float(match[2]),
                                                   int(match[3]))
    return summary


def plot(summary: Summary, methods: Sequence[str], budgets: Sequence[int],
         path: str, protocols: Sequence[str] = ('ft', 'lp'),
         title: Optional[str] = None) -> None:
    """mIoU against label budget, one line per method, error bars = std.

    One panel per protocol, written as a PNG, with one legend for all
    panels to their right (ten rows would hide the lines inside a panel).
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1,
        len(protocols),
        figsize=(5 * len(protocols) + 1.5, 4),
        squeeze=False,
        layout='constrained')
    for ax, protocol in zip(axes[0], protocols):
        for method in methods:
            points = [(b, summary[(method, protocol, b)]) for b in budgets
                      if (method, protocol, b) in summary]
            if points:
                ax.errorbar([b for b, _ in points], [v[0] for _, v in points],
                            yerr=[v[1] for _, v in points],
                            marker='o', capsize=3, label=method)
        ax.set_xscale('log', base=2)
        ax.set_xticks(list(budgets), [str(b) for b in budgets])
        ax.set_xlabel('labelled images')
        ax.set_ylabel('test mIoU')
        ax.set_title(f'{PROTOCOLS[protocol]}')
        ax.grid(alpha=0.3)
    lines = {}
    for ax in axes[0]:
        for line, label in zip(*ax.get_legend_handles_labels()):
            lines.setdefault(label, line)
    fig.legend(lines.values(), lines.keys(), loc='outside right center',
               fontsize=8)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)
