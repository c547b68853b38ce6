# Copyright (c) mmir contributors. All rights reserved.
"""The converter tools' command line: help, summary, problems."""
import json
import os

import pytest

from .utils import fake_mfnet, run_tool_main


@pytest.mark.parametrize('name', ['soda', 'mfnet', 'scut_seg', 'flir'])
def test_tool_help(name, monkeypatch, capsys):
    with pytest.raises(SystemExit) as err:
        run_tool_main(name, ['--help'], monkeypatch)
    assert err.value.code == 0
    assert 'src' in capsys.readouterr().out


def test_tool_prints_summary_or_problems(tmp_path, monkeypatch, capsys):
    fake_mfnet(str(tmp_path / 'raw'))
    run_tool_main('mfnet', [str(tmp_path / 'raw'), str(tmp_path / 'out')],
                  monkeypatch)
    assert json.loads(capsys.readouterr().out)['splits'] == {
        'train.txt': 3, 'val.txt': 1, 'test.txt': 1, 'val_test.txt': 2}
    os.remove(tmp_path / 'raw' / 'labels' / '00000D.png')
    with pytest.raises(SystemExit) as err:
        run_tool_main('mfnet', [str(tmp_path / 'raw'), str(tmp_path / 'o')],
                      monkeypatch)
    assert f'{tmp_path}/raw/labels/00000D.png: missing' in err.value.code
