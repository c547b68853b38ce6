# Copyright (c) mmir contributors. All rights reserved.
"""PAD's FLIR detection config: the authors' settings, layer decay by block,
and two training iterations of a tiny version on SynthIR."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from mmir.models import AdapterViT, SimpleFPN
from ..conftest import REPO, run_tool
from .utils import checkpoint_weights, logged_losses

CONFIG = osp.join(
    REPO, 'configs/pad/benchmarks/mmdet/faster-rcnn_adapter-vit-base-'
    'p16-win14_pad-pre_1xb2-12e_flir-1024x1024.py')
SIZE = (128, 128)


def tiny_config() -> Config:
    """The config with a 3-block, 32-channel backbone at 128 px."""
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.update(
        arch=dict(
            embed_dims=32, num_layers=3, num_heads=2,
            feedforward_channels=64),
        img_size=SIZE[0],
        window_size=4,
        global_attn_indices=(1, ),
        init_cfg=None)
    cfg.model.neck.in_channels = 32
    cfg.model.data_preprocessor.batch_augments[0].size = SIZE
    return cfg


def test_config_has_the_authors_settings():
    cfg = Config.fromfile(CONFIG)
    assert cfg.default_scope == 'mmdet'
    assert cfg.custom_imports.imports == ['mmir']
    assert dict(type='mmir.TorchRNGStateHook') in cfg.custom_hooks
    backbone = cfg.model.backbone
    assert (backbone.arch, backbone.img_size, backbone.patch_size) == (
        'base', 1024, 16)
    assert backbone.with_cls_token is False and backbone.final_norm is False
    assert backbone.window_size == 14
    assert backbone.global_attn_indices == (2, 5, 8, 11)
    assert backbone.rel_pos == 'decomposed'
    assert backbone.drop_path_rate == 0.1
    assert backbone.init_cfg.type == 'mmir.StrictPretrained'
    assert backbone.init_cfg.prefix == 'backbone.'
    assert cfg.model.neck.in_channels == 768 and cfg.model.neck.num_outs == 5
    assert cfg.model.roi_head.bbox_head.num_classes == 3
    assert cfg.model.data_preprocessor.mean == [96.9255] * 3
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.betas,
            optimizer.weight_decay) == ('AdamW', 1e-4, (0.9, 0.999), 0.1)
    assert cfg.optim_wrapper.paramwise_cfg.layer_decay_rate == 0.7
    warmup, steps = cfg.param_scheduler
    assert (warmup.start_factor, warmup.end) == (0.001, 250)
    assert cfg.train_cfg.max_epochs == 12 and steps.by_epoch
    # 8,862 images at batch 2: the authors' iteration counts.
    iters = 8862 // cfg.train_dataloader.batch_size
    assert [iters * e for e in (*steps.milestones, 12)] == [
        35448, 48741, 53172
    ]
    assert cfg.randomness.seed == 42


def test_model_builds_in_mmdet_scope_with_block_depths():
    cfg = tiny_config()
    from mmdet.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
        wrapper = build_optim_wrapper(
            model, dict(cfg.optim_wrapper, type='OptimWrapper'))
    assert type(model).__name__ == 'FasterRCNN'
    assert isinstance(model.backbone, AdapterViT)
    assert isinstance(model.neck, SimpleFPN)
    groups = {g['param_name']: g for g in wrapper.optimizer.param_groups}
    for i in range(3):
        for axis in 'hw':
            group = groups[f'backbone.layers.{i}.attn.rel_pos_{axis}']
            assert group['lr'] == pytest.approx(1e-4 * 0.7**(3 - i))
            assert group['weight_decay'] == 0.1
    assert groups['backbone.pos_embed']['lr'] == pytest.approx(1e-4 * 0.7**4)
    assert groups['backbone.pos_embed']['weight_decay'] == 0
    assert groups['backbone.layers.0.ln1.weight']['weight_decay'] == 0
    assert groups['backbone.layers.0.attn.qkv.bias']['weight_decay'] == 0.1
    assert groups['neck.fpn_convs.0.ln.weight']['weight_decay'] == 0
    assert groups['roi_head.bbox_head.fc_cls.weight']['lr'] == 1e-4


def test_trains_two_iterations_on_synthir(synthir_root, tmp_path):
    cfg = tiny_config()
    root = osp.join(synthir_root, 'coco') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.update(
            data_root=root, indices=4 if loader == 'train_dataloader' else 2)
        for step in cfg[loader].dataset.pipeline:
            for key in ('scale', 'crop_size'):
                if key in step:
                    step[key] = SIZE
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = root + 'annotations/instances_val.json'
    cfg.model.train_cfg.rcnn.sampler.num = 64
    cfg.model.test_cfg.rpn.max_per_img = 100
    cfg.optim_wrapper.type = 'OptimWrapper'  # AmpOptimWrapper needs a GPU
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.logger.interval = 1
    config = str(tmp_path / 'tiny_flir.py')
    cfg.dump(config)
    work_dir = str(tmp_path / 'work')
    run_tool(['tools/train.py', config, '--work-dir', work_dir])
    assert sorted(logged_losses(work_dir)) == [1, 2]
    weights = checkpoint_weights(osp.join(work_dir, 'epoch_1.pth'))
    assert weights['backbone.pos_embed'].shape == (1, 64, 32)
    for i in range(3):
        assert torch.any(weights[f'backbone.layers.{i}.attn.rel_pos_h'] != 0)
