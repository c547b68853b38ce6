# Copyright (c) mmir contributors. All rights reserved.
"""PAD configs hold the authors' settings."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope

from ..conftest import REPO
from .helpers import strip_pretrained

PAD = osp.join(REPO, 'configs', 'pad')
PRETRAIN = 'pad_vit-base-p16_8xb256-amp-coslr-100e_msip.py'
CONTINUAL = 'mae_vit-base-p16_in1k-pre_8xb256-amp-coslr-{}100e_msip.py'
SEG = ('benchmarks/mmseg/upernet_adapter-vit-base-p16_pad-100e-pre_2xb4-'
       '{}-512x512.py')


def test_pad_pretraining_config():
    cfg = Config.fromfile(osp.join(PAD, PRETRAIN))
    model = cfg.model
    assert model.type == 'mmir.PADMAE' and model.frozen_encoder
    assert model.backbone.type == 'mmir.AdapterMAEViT'
    assert model.backbone.arch == 'b' and model.backbone.mask_ratio == 0.75
    assert model.neck.decoder_embed_dim == 512
    assert model.neck.decoder_depth == 8 and model.head.norm_pix
    assert model.init_cfg.type == 'mmir.StrictPretrained'
    assert model.init_cfg.allow_missing == [r'\.ffn\.adapter\.']
    assert cfg.train_dataloader.batch_size * 8 * \
        cfg.optim_wrapper.accumulative_counts == 4096
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.lr == pytest.approx(1.6e-3)
    assert optimizer.betas == (0.9, 0.95) and optimizer.weight_decay == 0.05
    assert cfg.train_cfg.max_epochs == 100
    assert [s.end for s in cfg.param_scheduler] == [30, 100]
    assert dict(type='mmir.PADScaleWarmupHook',
                start_ratio=0.61) in cfg.custom_hooks
    mean, std = cfg.model.data_preprocessor.mean, \
        cfg.model.data_preprocessor.std
    assert mean == [pytest.approx(0.3801 * 255)] * 3
    assert std == [pytest.approx(0.1871 * 255)] * 3
    crop = cfg.train_dataloader.dataset.pipeline[2]
    assert crop.type == 'mmir.RandomRoICrop' and crop.p == 0.85


@pytest.mark.parametrize('decay', [None, 0.7])
def test_continual_baseline_trains_everything(decay):
    variant = '' if decay is None else f'layerdecay{decay}-'
    cfg = Config.fromfile(osp.join(PAD, CONTINUAL.format(variant)))
    cfg.model.backbone.arch = dict(
        embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
    cfg.model.neck.update(embed_dim=32, decoder_embed_dim=16)
    strip_pretrained(cfg.model)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    assert not model.frozen_encoder
    assert model.backbone.layers[0].ffn.__class__.__name__ == 'FFN'
    if decay is None:
        return
    wrapper = cfg.optim_wrapper
    wrapper.type = 'OptimWrapper'
    wrapper.pop('loss_scale')
    lrs = {
        group.get('param_name'): group['lr']
        for group in build_optim_wrapper(model, wrapper).param_groups
    }
    lr = wrapper.optimizer.lr
    # two blocks: the embeddings at depth 0, block i at i + 1, decoder at 3
    assert lrs['backbone.patch_embed.projection.weight'] == pytest.approx(
        lr * decay**3)
    assert lrs['backbone.layers.1.ffn.layers.1.weight'] == pytest.approx(
        lr * decay)
    assert lrs['neck.decoder_pred.weight'] == pytest.approx(lr)


@pytest.mark.parametrize('data, classes, iters, warmup', [
    ('14k_soda', 21, 14400, 1500),
    ('10k_mfnet', 9, 9800, 1000),
])
def test_pad_segmentation_configs(data, classes, iters, warmup):
    cfg = Config.fromfile(osp.join(PAD, SEG.format(data)))
    backbone = cfg.model.backbone
    assert backbone.type == 'mmir.AdapterViT' and backbone.rel_pos == 'bias'
    assert backbone.layer_scale_init_value == 1.0
    assert backbone.out_indices == (3, 5, 7, 11)
    assert cfg.model.neck.type == 'Feature2Pyramid'
    assert cfg.model.decode_head.num_classes == classes
    assert cfg.model.decode_head.channels == 768
    assert cfg.optim_wrapper.paramwise_cfg.layer_decay_rate == 0.65
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(1e-4)
    assert cfg.train_cfg.max_iters == iters
    assert cfg.param_scheduler[0].end == warmup
