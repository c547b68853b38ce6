# Copyright (c) mmir contributors. All rights reserved.
"""tools/train.py and tools/test.py on the demo config."""
import os.path as osp

import torch

from ..conftest import DEMO_CONFIG, run_tool
from .utils import checkpoint_weights, fast_options, logged_losses


def test_train_two_iterations_then_test(synthir_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', work_dir] +
             fast_options(synthir_root, 2))
    ckpt = osp.join(work_dir, 'iter_2.pth')
    assert osp.isfile(ckpt)
    assert sorted(logged_losses(work_dir)) == [1, 2]
    out = run_tool(['tools/test.py', DEMO_CONFIG, ckpt, '--work-dir',
                    work_dir] + fast_options(synthir_root, 2))
    miou = [line for line in out.stdout.splitlines()
            if line.startswith('mIoU: ')]
    assert len(miou) == 1
    assert 0.0 <= float(miou[0].split()[1]) <= 100.0


def test_resume_is_exact(synthir_root, tmp_path):
    straight, resumed = str(tmp_path / 'straight'), str(tmp_path / 'resumed')
    run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', straight] +
             fast_options(synthir_root, 4))
    run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', resumed] +
             fast_options(synthir_root, 2))
    run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', resumed,
              '--resume'] + fast_options(synthir_root, 4))
    expected, actual = logged_losses(straight), logged_losses(resumed)
    assert sorted(expected) == sorted(actual) == [1, 2, 3, 4]
    for it in (3, 4):
        assert actual[it] == expected[it], f'iteration {it} differs'
    a = checkpoint_weights(osp.join(straight, 'iter_4.pth'))
    b = checkpoint_weights(osp.join(resumed, 'iter_4.pth'))
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
