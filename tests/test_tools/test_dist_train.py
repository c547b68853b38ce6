# Copyright (c) mmir contributors. All rights reserved.
"""tools/dist_train.sh trains on CPU with 2 gloo processes in lockstep."""
import os
import os.path as osp
import subprocess
import sys

import torch

from ..conftest import DEMO_CONFIG, REPO
from .utils import fast_options


def test_two_process_gloo_run(synthir_root, tmp_path):
    cfg = tmp_path / 'dist_cfg.py'
    cfg.write_text(
        f'_base_ = [{DEMO_CONFIG!r}]\n'
        "custom_imports = dict(imports=['mmir', 'rank_dump_hook'],\n"
        '                      allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='mmir.TorchRNGStateHook'),\n"
        "                dict(type='RankParamsDumpHook',\n"
        f'                     out_dir={str(tmp_path)!r})]\n')
    env = dict(os.environ)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env['PYTHONPATH'] = osp.dirname(__file__)
    env['PORT'] = '29517'
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir',
         str(tmp_path / 'work')] + fast_options(synthir_root, 3),
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert 'Distributed training: True' in proc.stdout + proc.stderr
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1)]
    assert ranks[0].keys() == ranks[1].keys() and len(ranks[0]) > 0
    for key in ranks[0]:
        assert torch.equal(ranks[0][key], ranks[1][key]), key
    initial = torch.load(
        tmp_path / 'work' / 'iter_2.pth', weights_only=True)['state_dict']
    moved = [k for k in ranks[0] if not torch.equal(ranks[0][k], initial[k])]
    assert moved, 'training should change the weights after iteration 2'
