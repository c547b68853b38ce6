# Copyright (c) mmir contributors. All rights reserved.
"""Command-line options that point the demo config at a tiny SynthIR."""
import glob
import json
import os.path as osp

import torch


def fast_options(synthir_root: str, max_iters: int) -> list:
    """``--cfg-options`` for a few CPU iterations on the test SynthIR."""
    root = osp.join(synthir_root, 'soda/InfraredSemanticLabel')
    options = [
        'model.backbone.init_cfg=None',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={max_iters}',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        'train_dataloader.batch_size=2',
    ]
    for loader in ('train', 'val', 'test'):
        options += [
            f'{loader}_dataloader.dataset.data_root={root}',
            f'{loader}_dataloader.num_workers=0',
            f'{loader}_dataloader.persistent_workers=False',
        ]
    return ['--cfg-options', *options]


def logged_losses(work_dir: str) -> dict:
    """Iteration -> total loss, from every run logged in ``work_dir``."""
    losses = {}
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        for line in open(path):
            record = json.loads(line)
            if 'loss' in record:
                losses[record['iter']] = record['loss']
    return losses


def checkpoint_weights(path: str) -> dict:
    """The model state dict of a checkpoint, loaded safely."""
    return torch.load(path, map_location='cpu', weights_only=True)[
        'state_dict']
