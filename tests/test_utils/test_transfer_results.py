# Copyright (c) mmir contributors. All rights reserved.
"""Transfer-benchmark results: summary, table and its parser, plot."""
import statistics

import pytest

from mmir.utils.transfer_results import (markdown_table,
                                         parse_markdown_table, plot,
                                         read_results, run_name, summarise,
                                         write_result)


@pytest.fixture
def results(tmp_path):
    values = {('unip', 'ft', 16): [40.0, 42.5, 41.0],
              ('unip', 'lp', 16): [30.25],
              ('scratch', 'ft', 16): [35.0, 36.0]}
    paths = []
    for (method, protocol, budget), mious in values.items():
        for seed, miou in enumerate(mious):
            path = tmp_path / (run_name(method, protocol, budget, seed) +
                               '.json')
            write_result(str(path), method, protocol, budget, seed, miou)
            paths.append(str(path))
    return values, read_results(paths + [str(tmp_path / 'missing.json')])


def test_summary_is_mean_and_sample_std(results):
    values, records = results
    summary = summarise(records)
    for key, mious in values.items():
        std = statistics.stdev(mious) if len(mious) > 1 else 0.0
        assert summary[key] == pytest.approx(
            (statistics.mean(mious), std, len(mious)))


def test_table_round_trip(results, tmp_path):
    _, records = results
    summary = summarise(records)
    table = markdown_table(summary, ['scratch', 'unip'], [16],
                           pending=['itpn'])
    assert '| scratch | 35.50 ± 0.71 (2) | - |' in table
    assert '| itpn | pending | pending |' in table
    parsed = parse_markdown_table(table)
    assert parsed == {key: (round(m, 2), round(s, 2), n)
                      for key, (m, s, n) in summary.items()}
    with pytest.raises(ValueError, match='unexpected cell'):
        parse_markdown_table(table.replace('35.50 ± 0.71 (2)', '35.5'))
    plot(summary, ['scratch', 'unip'], [16], str(tmp_path / 'p.png'))
    assert (tmp_path / 'p.png').read_bytes()[:4] == b'\x89PNG'
