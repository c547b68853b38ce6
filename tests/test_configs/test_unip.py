# Copyright (c) mmir contributors. All rights reserved.
"""UNIP configs hold the authors' settings, and their models train."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmengine.optim import build_optim_wrapper

from ..conftest import REPO
from .helpers import strip_pretrained

UNIP = osp.join(REPO, 'configs', 'unip')
BENCH = osp.join(UNIP, 'benchmarks', 'mmseg')
FT = 'upernet-llfpn_vit-small-p16_unip-100e-pre_2xb4-{}-512x512.py'
LP = 'linear_vit-small-p16_unip-100e-pre_2xb4-{}-512x512.py'


def build_model(cfg):
    strip_pretrained(cfg.model)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(cfg.model)


def seg_batch(model, num_classes):
    from mmseg.structures import SegDataSample
    from mmengine.structures import PixelData
    samples = []
    for _ in range(2):
        sample = SegDataSample(
            gt_sem_seg=PixelData(
                data=torch.randint(0, num_classes, (1, 64, 64))))
        sample.set_metainfo(dict(img_shape=(64, 64), pad_shape=(64, 64)))
        samples.append(sample)
    return torch.randn(2, 3, 64, 64), samples


def test_headline_pretraining_config():
    cfg = Config.fromfile(osp.join(UNIP, 'unip-s_infmix.py'))
    model = cfg.model
    assert model.type == 'mmir.NMIHAD' and model.teacher_layer == 18
    assert model.teacher.arch == 'large' and model.backbone.last_heads == 16
    assert model.backbone.drop_path_mode == 'constant'
    assert cfg.train_dataloader.batch_size * 8 * \
        cfg.optim_wrapper.accumulative_counts == 4096
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(2.4e-3)
    assert cfg.optim_wrapper.optimizer.betas == (0.9, 0.95)
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.param_scheduler[0].end == 5
    assert cfg.model.data_preprocessor.std[0] == pytest.approx(0.1871 * 255)
    assert cfg.find_unused_parameters is True


@pytest.mark.parametrize('tag,iters,warmup,ckpt', [
    ('14k_soda', 14400, 1500, 5000),
    ('10k_mfnet', 9800, 1000, 4900),
    ('17k_scut-seg', 16800, 1700, 8400),
])
def test_benchmark_schedules(tag, iters, warmup, ckpt):
    for name in (FT, LP):
        cfg = Config.fromfile(osp.join(BENCH, name.format(tag)))
        assert cfg.train_cfg.max_iters == iters
        assert cfg.param_scheduler[0].end == warmup
        assert cfg.param_scheduler[1].end == iters
        assert cfg.default_hooks.checkpoint.interval == ckpt
        assert cfg.model.test_cfg == dict(
            mode='slide', crop_size=(512, 512), stride=(341, 341))
        assert cfg.train_dataloader.batch_size == 4


def test_finetune_model_trains_with_layer_decay():
    cfg = Config.fromfile(osp.join(BENCH, FT.format('14k_soda')))
    cfg.model.neck.norm_cfg = cfg.model.decode_head.norm_cfg = \
        cfg.model.auxiliary_head.norm_cfg = dict(type='BN')
    model = build_model(cfg)
    assert type(model.neck).__name__ == 'LLFPN'
    assert model.backbone.layers[-1].attn.num_heads == 6
    inputs, samples = seg_batch(model, 21)
    losses = model.loss(inputs, samples)
    assert set(losses) >= {'decode.loss_ce', 'aux.loss_ce'}
    cfg.optim_wrapper.type = 'OptimWrapper'
    with DefaultScope.overwrite_default_scope('mmseg'):
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    lrs = {id(p): g['lr'] for g in wrapper.optimizer.param_groups
           for p in g['params']}
    assert lrs[id(model.backbone.pos_embed)] == pytest.approx(1e-4 *
                                                              0.85**13)
    assert lrs[id(model.backbone.layers[11].attn.qkv.weight)] == \
        pytest.approx(1e-4 * 0.85)
    assert lrs[id(model.decode_head.conv_seg.weight)] == pytest.approx(1e-4)


def test_linear_probe_trains_only_the_classifier():
    cfg = Config.fromfile(osp.join(BENCH, LP.format('10k_mfnet')))
    model = build_model(cfg)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ['decode_head.conv_seg.weight',
                         'decode_head.conv_seg.bias']
    assert model.decode_head.conv_seg.in_channels == 4 * 384
    inputs, samples = seg_batch(model, 9)
    model.loss(inputs, samples)['decode.loss_ce'].backward()
    assert model.decode_head.conv_seg.weight.grad.abs().sum() > 0
