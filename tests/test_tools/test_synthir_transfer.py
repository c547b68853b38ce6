# Copyright (c) mmir contributors. All rights reserved.
"""tools/benchmarks/synthir_transfer.py end to end on a tiny budget."""
import importlib.util
import json
import os
import os.path as osp

import pytest

from mmir.utils.transfer_results import (parse_markdown_table,
                                         read_results, summarise)
from mmir.utils.transfer_tuning import (candidates, read_settings,
                                        settings_key)
from ..conftest import REPO, run_tool

METHODS = ('unip', 'pad', 'itpn-mfm')
ARGS = [
    'tools/benchmarks/synthir_transfer.py', '--tiny', '--tune', '--methods',
    *METHODS, '--budgets', '2', '--seeds', '0'
]


def load_script():
    """The benchmark script as a module."""
    path = osp.join(REPO, 'tools', 'benchmarks', 'synthir_transfer.py')
    spec = importlib.util.spec_from_file_location('synthir_transfer', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_steps_come_with_what_they_read_in_order():
    script = load_script()
    assert script.required_steps({None}) == ['teacher']
    assert script.required_steps({'cim-revdet'}) == [
        'teacher', 'cim-tokenizer', 'cim-revdet'
    ]
    assert script.required_steps({'pad', 'itpn-mfm', 'cim-respix'}) == [
        'teacher', 'pad', 'itpn-mfm', 'cim-tokenizer', 'cim-respix'
    ]
    # every step reads only steps before it; every row's weights exist
    names = list(script.PRETRAIN)
    for index, step in enumerate(script.PRETRAIN.values()):
        assert all(names.index(src) < index for src, _ in step.inputs)
    assert {m.weights for m in script.METHODS} - {None} <= set(names)


@pytest.fixture(scope='module')
def benchmark(tmp_path_factory):
    work = str(tmp_path_factory.mktemp('synthir_transfer'))
    out = run_tool(ARGS + ['--work-dir', work]).stdout
    return work, out


def test_chain_writes_table_plot_and_results(benchmark):
    work, out = benchmark
    for name in ('table.md', 'transfer.png', 'results.json'):
        assert osp.getsize(osp.join(work, name)) > 0, name
    with open(osp.join(work, 'table.md')) as file:
        table = file.read()
    assert table in out
    runs = json.load(open(osp.join(work, 'results.json')))['runs']
    assert {(r['method'], r['protocol']) for r in runs} == {
        (m, p) for m in METHODS for p in ('ft', 'lp')}
    parsed = parse_markdown_table(table)
    expected = summarise(runs)
    assert set(parsed) == set(expected)
    for key, (mean, std, count) in expected.items():
        assert parsed[key] == (round(mean, 2), round(std, 2), count)
    assert 'pending' not in table
    nmi = json.load(open(osp.join(work, 'results.json')))['teacher_nmi']
    assert len(nmi) == 6 and all(0 <= v <= 1 for v in nmi)
    assert 'teacher attention NMI by layer: 1:' in out


def test_rerun_resumes_without_training(benchmark):
    work, out = benchmark
    results = osp.join(work, 'results')
    before = read_results([osp.join(results, f) for f in sorted(
        os.listdir(results))])
    again = run_tool(ARGS + ['--work-dir', work])
    assert 'pre-training' in again.stderr
    assert '_seed0' not in again.stderr, 'no run is trained again'
    after = read_results([osp.join(results, f) for f in sorted(
        os.listdir(results))])
    assert after == before
    assert again.stdout == out


def test_tuning_chooses_the_best_on_validation_and_uses_it(benchmark):
    work, _ = benchmark
    tuning = osp.join(work, 'tuning')
    scores = read_results([
        osp.join(tuning, name) for name in sorted(os.listdir(tuning))
        if name.endswith('.json')
    ])
    chosen = read_settings(osp.join(work, 'settings.json'))
    assert set(chosen) == {f'{m}/{p}' for m in METHODS
                           for p in ('ft', 'lp')}
    for key, setting in chosen.items():
        method, protocol = key.split('/')
        tried = [(s['settings'], s['miou']) for s in scores
                 if (s['method'], s['protocol']) == (method, protocol)]
        assert len(tried) == 2  # --tiny keeps two candidates
        best = max(miou for _, miou in tried)
        assert setting == next(s for s, miou in tried if miou == best)
    # pad fine-tuning decays by layer: its candidates say so
    assert all('layer_decay' in s['settings'] for s in scores
               if (s['method'], s['protocol']) == ('pad', 'ft'))
    runs = json.load(open(osp.join(work, 'results.json')))['runs']
    for run in runs:
        assert run['settings'] == chosen[f"{run['method']}/"
                                         f"{run['protocol']}"]
    with open(osp.join(tuning, 'tuning.md')) as file:
        assert file.read().count('| yes |') == 6


def test_committed_settings_cover_every_row_inside_its_grid():
    """``configs/synthir_transfer/settings.json`` (what ``make demo`` and
    runs without ``--tune`` read) names every row and protocol, and each
    choice is one of the candidates ``--tune`` searches for that row."""
    script = load_script()
    settings = read_settings(osp.join(REPO, script.SETTINGS))
    assert set(settings) == {
        settings_key(m.name, p) for m in script.METHODS for p in ('ft', 'lp')
    }
    for method in script.METHODS:
        for protocol in ('ft', 'lp'):
            config = script.DOWNSTREAM[protocol, method.size]
            grid = candidates(protocol, script.decays_by_layer(config))
            assert settings[settings_key(method.name, protocol)] in grid, (
                method.name, protocol)
