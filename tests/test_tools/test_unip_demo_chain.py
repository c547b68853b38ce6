# Copyright (c) mmir contributors. All rights reserved.
"""The UNIP demo chain, 2 iterations per step: MAE teacher -> NMI-HAD
student -> LL-FPN fine-tuning, each step loading the previous checkpoint
strictly."""
import os.path as osp

import torch

from ..conftest import DEMO_CONFIG, REPO, run_tool
from .utils import fast_options

TEACHER = osp.join(REPO,
                   'configs/demo/mae_vit-128d-p8_1xb16-400i_synthir-64px.py')
UNIP = osp.join(
    REPO, 'configs/demo/unip_vit-tiny-p8_mae-auto_1xb16-300i_synthir-64px.py')


def pretrain_options(synthir_root: str) -> list:
    """Two CPU iterations on the test SynthIR's InfMix-style list."""
    return [
        '--cfg-options', 'train_cfg.max_iters=2',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=4',
        f'train_dataloader.dataset.data_root={synthir_root}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'
    ]


def test_demo_chain_runs_and_hands_over_weights(synthir_root, tmp_path):
    run_tool(['tools/dataset_converters/infmix.py', synthir_root,
              '--synthir'])
    teacher_dir, unip_dir = str(tmp_path / 'teacher'), str(tmp_path / 'unip')
    run_tool(['tools/train.py', TEACHER, '--work-dir', teacher_dir] +
             pretrain_options(synthir_root))
    teacher_ckpt = osp.join(teacher_dir, 'iter_2.pth')
    out = run_tool(['tools/train.py', UNIP, '--work-dir', unip_dir] +
                   pretrain_options(synthir_root) +
                   [f'model.teacher_checkpoint={teacher_ckpt}'])
    assert 'NMI-HAD teacher layer NMI' in out.stdout + out.stderr
    unip = torch.load(
        osp.join(unip_dir, 'iter_2.pth'), weights_only=True)['state_dict']
    mae = torch.load(teacher_ckpt, weights_only=True)['state_dict']
    key = 'layers.0.attn.qkv.weight'
    assert torch.equal(unip[f'target_generator.{key}'], mae[f'backbone.{key}'])
    assert 0 <= int(unip['teacher_block']) < 6

    seg_dir = str(tmp_path / 'seg')
    options = fast_options(synthir_root, 2)
    options[options.index('model.backbone.init_cfg=None')] = (
        'model.backbone.init_cfg.checkpoint=' +
        osp.join(unip_dir, 'iter_2.pth'))
    run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', seg_dir] +
             options)
    assert osp.isfile(osp.join(seg_dir, 'iter_2.pth'))
