# Copyright (c) mmir contributors. All rights reserved.
"""iTPN configs: they build mmir's classes (not mmpretrain's iTPN, HiViT or
iTPNHiViT), hold the authors' settings, decay the lr over HiViT-B's 30
layers, feed the heads the channels the backbone gives, and the SynthIR
demo chain trains through tools/train.py."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmir.models import (iTPN, iTPNClipDistillHead, iTPNDecoder, iTPNHiViT,
                         iTPNMFMHead, iTPNPyramid)
from ..conftest import REPO, run_tool
from ..test_tools.test_unip_demo_chain import pretrain_options
from ..test_tools.utils import checkpoint_weights, fast_options
from .helpers import build_model, load_config

ITPN = osp.join(REPO, 'configs', 'itpn')
PRETRAIN = sorted(glob.glob(osp.join(ITPN, '*.py')))
SEG = sorted(glob.glob(osp.join(ITPN, 'benchmarks', 'mmseg', '*.py')))
DET = sorted(glob.glob(osp.join(ITPN, 'benchmarks', 'mmdet', '*.py')))
DEMO = osp.join(ITPN, 'itpn-mfm_hivit-demo-p8_1xb16-400i_synthir-64px.py')
DEMO_SEG = osp.join(
    ITPN, 'benchmarks', 'mmseg',
    'upernet_itpn-hivit-demo-p8_itpn-demo-pre_1xb8-1k_synthir-soda-64x64.py')
LINEAR_PROBE = osp.join(
    REPO, 'configs', 'synthir_transfer',
    'linear_hivit-demo-p8_1xb8-300i_synthir-transfer-64x64.py')
PIXEL = 'itpn-pixel_hivit-base-p16_8xb{}-amp-coslr-{}_{}.py'
MFM = 'itpn-mfm_hivit-base-p16_8xb{}-amp-coslr-{}_{}.py'
CLIP = 'itpn-clip-b_hivit-base-p16_8xb256-amp-coslr-300e_in1k.py'
MFM_LOSSES = {f'loss_mfm_stage{i}' for i in (1, 2, 3)}
# Inputs of the forward checks: 64 px, 4x4 units of 16 px.
SIZE = 64


def name(path: str) -> str:
    return osp.basename(path)


def load(path: str) -> Config:
    """A config with its weight files stripped, shrunk for CPU (widths 64
    and 32, depths as written; :func:`.helpers.shrink_itpn`)."""
    return load_config(path)


def test_configs_are_found():
    assert len(PRETRAIN) == 9 and len(SEG) == 5 and len(DET) == 2
    for path in PRETRAIN + SEG + DET:
        assert 'mmir::' not in open(path).read(), path
    for path in SEG + DET:
        cfg = Config.fromfile(path)
        assert cfg.custom_imports == dict(
            imports=['mmir'], allow_failed_imports=False)


@pytest.mark.parametrize('path', PRETRAIN, ids=name)
def test_pretraining_builds_mmir_itpn(path):
    from mmpretrain.structures import DataSample
    cfg = load(path)
    assert cfg.model.type == 'mmir.iTPN'
    assert cfg.model.backbone.type == 'mmir.iTPNHiViT'
    clip = cfg.model.target == 'clip'
    assert cfg.input_size == (SIZE, SIZE)
    torch.manual_seed(0)
    model = build_model(cfg)
    assert type(model) is iTPN
    assert type(model.backbone) is iTPNHiViT
    assert type(model.backbone.pyramid) is iTPNPyramid
    inputs = torch.randn(2, 3, SIZE, SIZE)
    samples = [DataSample() for _ in range(2)]
    if clip:
        assert type(model.head) is iTPNClipDistillHead
        assert model.neck is None and model.mfm_head is None
        grid = SIZE // 16
        inputs = [inputs, torch.randn(2, 3, SIZE, SIZE)]
        for sample in samples:
            sample.set_mask(torch.rand(grid, grid) < 0.4)
        expected = {'loss_clip', 'loss_clip_aux'}
    else:
        assert type(model.neck) is iTPNDecoder
        assert type(model.head).__name__ == 'MAEPretrainHead'
        expected = {'loss_pixel'}
        if cfg.model.get('mfm_head'):
            assert type(model.mfm_head) is iTPNMFMHead
            assert type(model.teacher) is iTPNHiViT
            assert model.teacher.pyramid is None
            expected |= MFM_LOSSES
    model.train()
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == expected
    assert all(torch.isfinite(v) and v.dim() == 0 for v in losses.values())
    sum(losses.values()).backward()
    pyramid = [p.grad for p in model.backbone.pyramid.parameters()]
    assert all(g is not None for g in pyramid)
    assert any(g.abs().sum() > 0 for g in pyramid)
    if hasattr(model, 'teacher'):
        assert all(p.grad is None for p in model.teacher.parameters())


@pytest.mark.parametrize('epochs', ['400e', '1600e'])
def test_pixel_recipe_is_the_authors(epochs):
    cfg = Config.fromfile(osp.join(ITPN, PIXEL.format(512, epochs, 'in1k')))
    model = cfg.model
    backbone = model.backbone
    assert backbone.arch == 'base' and backbone.patch_size == 16
    assert backbone.img_size == 224 and not backbone.rpe and backbone.ape
    assert backbone.pyramid == dict(fpn_dim=256, fpn_depth=2)
    assert model.target == 'pixel' and model.mask_ratio == 0.75
    neck = model.neck
    assert (neck.decoder_embed_dim, neck.decoder_depth,
            neck.decoder_num_heads) == (512, 8, 16)
    assert model.head.norm_pix and model.head.loss.criterion == 'L2'
    assert 'mfm_head' not in model
    assert cfg.train_dataloader.batch_size * 8 * cfg.optim_wrapper.get(
        'accumulative_counts', 1) == 4096
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.lr == pytest.approx(1.5e-4 * 4096 / 256)
    assert optimizer.betas == (0.9, 0.95) and optimizer.weight_decay == 0.05
    assert cfg.train_cfg.max_epochs == int(epochs[:-1])
    warmup, cosine = cfg.param_scheduler
    assert warmup.end == cosine.begin == 40
    assert cosine.end == int(epochs[:-1]) and cosine.eta_min == 0
    crop = cfg.train_dataloader.dataset.pipeline[1]
    assert crop.type == 'RandomResizedCrop' and crop.scale == 224
    assert crop.crop_ratio_range == (0.2, 1.0)
    assert crop.interpolation == 'bicubic'
    assert model.data_preprocessor.mean == [123.675, 116.28, 103.53]


@pytest.mark.parametrize('batch, epochs, data', [(512, '1600e', 'in1k'),
                                                  (256, '400e', 'infmix'),
                                                  (256, '400e', 'msip')])
def test_mfm_adds_only_the_mfm_head(batch, epochs, data):
    mfm = Config.fromfile(osp.join(ITPN, MFM.format(batch, epochs, data)))
    pixel = Config.fromfile(osp.join(ITPN, PIXEL.format(batch, epochs, data)))
    head = mfm.model.pop('mfm_head')
    assert mfm.model.pop('base_momentum') == 0.996
    assert mfm.model.to_dict() == pixel.model.to_dict()
    assert mfm.optim_wrapper == pixel.optim_wrapper
    assert mfm.param_scheduler == pixel.param_scheduler
    assert head.type == 'mmir.iTPNMFMHead'
    assert head.in_dims == mfm.model.neck.decoder_embed_dim == 512
    assert tuple(head.stage_dims) == (128, 256, 512)
    assert head.decoder_depth == 2 and tuple(head.loss_weights) == (1, 1, 1)
    assert head.distance == 'l2' and head.target_norm == 'layer_norm'


def test_clip_recipe_is_the_authors():
    cfg = Config.fromfile(osp.join(ITPN, CLIP))
    backbone = cfg.model.backbone
    assert backbone.rpe and backbone.mask_token
    assert backbone.drop_path_rate == 0.1
    assert backbone.layer_scale_init_value == 0.1
    assert backbone.pyramid == dict(fpn_dim=256, fpn_depth=1)
    head = cfg.model.head
    assert head.type == 'mmir.iTPNClipDistillHead'
    assert head.teacher_dims == 512 and head.aux_depth == 2
    assert cfg.model.aux_layer_ratio == 0.75
    teacher = cfg.model.target_generator
    assert teacher.type == 'mmpretrain.CLIPGenerator'
    assert teacher.tokenizer_path.endswith('clip_vit_base_16.pth.tar')
    assert cfg.model.data_preprocessor.type == 'TwoNormDataPreprocessor'
    assert cfg.model.data_preprocessor.mean == [127.5] * 3
    assert cfg.model.data_preprocessor.std == [127.5] * 3
    pipeline = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    mask = pipeline['BEiTMaskGenerator']
    assert tuple(mask.input_size) == (14, 14)
    assert mask.num_masking_patches == mask.max_num_patches == 75
    assert mask.min_num_patches == 16
    # a mask named in algorithm_keys would be repacked as a numpy array
    assert 'mask' not in pipeline['PackInputs'].get('algorithm_keys', ())
    crop = pipeline['RandomResizedCropAndInterpolationWithTwoPic']
    assert crop.scale == (0.08, 1.0) and crop.second_size == 224
    assert cfg.train_dataloader.batch_size * 8 == 2048
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.lr == pytest.approx(1.5e-3)
    assert optimizer.betas == (0.9, 0.98) and optimizer.weight_decay == 0.05
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=3.0)
    assert cfg.train_cfg.max_epochs == 300
    assert cfg.param_scheduler[1].eta_min == pytest.approx(1e-5)


@pytest.mark.parametrize('kind', [PIXEL, MFM])
@pytest.mark.parametrize('data, transform', [('infmix', 'mmir.RGB2Gray'),
                                             ('msip', 'mmir.RandomRoICrop')])
def test_infrared_rows_use_the_infrared_bases(kind, data, transform):
    cfg = Config.fromfile(osp.join(ITPN, kind.format(256, '400e', data)))
    preprocessor = cfg.model.data_preprocessor
    assert preprocessor.mean == [pytest.approx(0.3801 * 255)] * 3
    assert preprocessor.std == [pytest.approx(0.1871 * 255)] * 3
    assert preprocessor.to_rgb
    types = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert transform in types
    assert cfg.train_dataloader.dataset.type == (
        'mmir.InfMixDataset' if data == 'infmix' else 'mmir.MSIPDataset')
    assert cfg.train_dataloader.batch_size * 8 * \
        cfg.optim_wrapper.accumulative_counts == 4096
    assert cfg.train_cfg.max_epochs == 400


def test_base_layer_depths():
    backbone = iTPNHiViT(arch='base')
    blocks = [type(b).__name__ for b in backbone.blocks]
    assert blocks.count('PatchMerge') == 2 and len(blocks) == 32

    def depth(key):
        return backbone.get_layer_depth(key, 'backbone.')

    assert depth('backbone.patch_embed.proj.weight') == (0, 32)
    assert depth('backbone.absolute_pos_embed') == (0, 32)
    assert depth('backbone.blocks.0.mlp.fc1.weight') == (1, 32)
    assert depth('backbone.blocks.3.reduction.weight') == (4, 32)  # merge
    assert depth('backbone.blocks.8.attn.qkv.weight') == (7, 32)
    assert depth('backbone.blocks.31.attn.qkv.weight') == (30, 32)
    assert depth('backbone.pyramid.fpn_modules.0.mlp.fc1.weight') == (31, 32)
    assert depth('decode_head.conv_seg.weight') == (31, 32)


def param_groups(model, cfg: Config) -> dict:
    """Parameter name -> its optimizer group, built on CPU."""
    wrapper = cfg.optim_wrapper.copy()
    wrapper.type = 'OptimWrapper'
    wrapper.pop('loss_scale', None)
    # the optimizer's groups (the wrapper's add mmengine's base settings)
    groups = build_optim_wrapper(model, wrapper).optimizer.param_groups
    return {group['param_name']: group for group in groups}


def check_layer_decay(model, cfg: Config, head_key: str) -> None:
    """lr x rate^(L + 1 - d) by the backbone's depths; no decay on the
    position embedding and biases."""
    wrapper = cfg.optim_wrapper
    assert wrapper.constructor == \
        'mmir.BackboneLayerDecayOptimWrapperConstructor'
    rate = wrapper.paramwise_cfg.layer_decay_rate
    assert rate == 0.90
    layers = sum(model.backbone.depths)
    last = len(model.backbone.blocks) - 1
    lr = wrapper.optimizer.lr
    groups = param_groups(model, cfg)
    expected = {
        'backbone.patch_embed.proj.weight': lr * rate**(layers + 1),
        'backbone.blocks.0.mlp.fc1.weight': lr * rate**layers,
        f'backbone.blocks.{last}.attn.qkv.weight': lr * rate,
        'backbone.pyramid.fpn_modules.0.mlp.fc1.weight': lr,
        head_key: lr,
    }
    for key, value in expected.items():
        assert groups[key]['lr'] == pytest.approx(value), key
    assert groups['backbone.absolute_pos_embed']['weight_decay'] == 0
    assert groups[f'backbone.blocks.{last}.attn.qkv.bias'][
        'weight_decay'] == 0
    assert groups[f'backbone.blocks.{last}.attn.qkv.weight'][
        'weight_decay'] == wrapper.optimizer.weight_decay


def check_init_cfg(path: str) -> None:
    init = Config.fromfile(path).model.backbone.init_cfg
    assert init.type == 'mmir.StrictPretrained'
    assert init.prefix == 'backbone.' and init.checkpoint


@pytest.mark.parametrize('path', SEG, ids=name)
def test_segmentation_heads_get_the_backbone_channels(path):
    check_init_cfg(path)
    cfg = load(path)
    assert cfg.model.neck is None
    assert cfg.model.backbone.out_type == 'seg'
    model = build_model(cfg)
    assert type(model.backbone) is iTPNHiViT
    assert type(model.backbone.pyramid) is iTPNPyramid
    backbone = model.backbone
    width, fpn = backbone.embed_dims, backbone.pyramid.fpn_dim
    assert cfg.model.decode_head.in_channels == [
        width // 4 + fpn, width // 2 + fpn, width + fpn, width + fpn
    ]
    written = Config.fromfile(path).model
    if written.backbone.arch == 'base':
        assert written.decode_head.in_channels == [384, 512, 768, 768]
    model.eval()
    inputs = torch.randn(1, 3, SIZE, SIZE)
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        logits = model(inputs, mode='tensor')
    first = backbone.patch_size // 4  # stride of stage 1
    for i, (feat, channels) in enumerate(
            zip(feats, cfg.model.decode_head.in_channels)):
        side = SIZE // (first * 2**i)
        assert feat.shape == (1, channels, side, side)
    aux = cfg.model.auxiliary_head
    assert aux.in_channels == feats[aux.in_index].shape[1]
    assert logits.shape == (1, cfg.model.decode_head.num_classes,
                            SIZE // first, SIZE // first)
    check_layer_decay(model, cfg, 'decode_head.conv_seg.weight')


def test_linear_probe_of_the_transfer_benchmark_trains_one_conv():
    cfg = load(LINEAR_PROBE)
    model = build_model(cfg)
    model.train()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {'decode_head.conv_seg.weight',
                         'decode_head.conv_seg.bias'}
    assert not model.backbone.pyramid.training
    inputs = torch.randn(1, 3, SIZE, SIZE)
    feats = model.extract_feat(inputs)
    assert [f.shape[1] for f in feats] == cfg.model.decode_head.in_channels
    logits = model(inputs, mode='tensor')
    assert logits.shape == (1, cfg.model.decode_head.num_classes, SIZE // 2,
                            SIZE // 2)


@pytest.mark.parametrize('path', DET, ids=name)
def test_detection_heads_get_the_pyramid(path):
    from mmdet.structures import DetDataSample
    check_init_cfg(path)
    cfg = load(path)
    assert cfg.model.neck is None
    assert cfg.model.backbone.out_type == 'det'
    model = build_model(cfg)
    assert type(model.backbone) is iTPNHiViT
    assert model.backbone.depths == (3, 3, 24)
    strides = cfg.model.rpn_head.anchor_generator.strides
    assert strides == [4, 8, 16, 32, 64]
    roi = cfg.model.roi_head
    assert roi.bbox_roi_extractor.featmap_strides == [4, 8, 16, 32]
    assert Config.fromfile(path).model.backbone.pyramid.fpn_dim == 256
    fpn = model.backbone.pyramid.fpn_dim
    assert fpn == cfg.model.rpn_head.in_channels
    assert roi.bbox_roi_extractor.out_channels == roi.bbox_head.in_channels
    assert roi.bbox_head.in_channels == fpn
    if 'mask_head' in roi:
        assert roi.mask_roi_extractor.featmap_strides == [4, 8, 16, 32]
        assert roi.mask_head.in_channels == fpn
    model.eval()
    inputs = torch.randn(1, 3, SIZE, SIZE)
    sample = DetDataSample()
    sample.set_metainfo(
        dict(
            img_shape=(SIZE, SIZE),
            ori_shape=(SIZE, SIZE),
            pad_shape=(SIZE, SIZE),
            batch_input_shape=(SIZE, SIZE),
            scale_factor=(1.0, 1.0)))
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        outputs = model(inputs, [sample], mode='tensor')
    assert [tuple(f.shape) for f in feats] == [(1, fpn, SIZE // s, SIZE // s)
                                               for s in strides]
    cls_score = outputs[0][0]
    assert cls_score.shape[1] == roi.bbox_head.num_classes + 1
    check_layer_decay(model, cfg, 'rpn_head.rpn_conv.weight')


def test_demo_chain_pretrains_and_fine_tunes(synthir_root, tmp_path):
    run_tool(['tools/dataset_converters/infmix.py', synthir_root,
              '--synthir'])
    pre_dir, seg_dir = str(tmp_path / 'itpn'), str(tmp_path / 'seg')
    out = run_tool(['tools/train.py', DEMO, '--work-dir', pre_dir] +
                   pretrain_options(synthir_root))
    log = out.stdout + out.stderr
    assert all(key in log for key in ('loss_pixel', *MFM_LOSSES))
    ckpt = osp.join(pre_dir, 'iter_2.pth')
    weights = checkpoint_weights(ckpt)
    assert int(weights['ema_steps']) == 2
    student = {
        k[len('backbone.'):]
        for k in weights
        if k.startswith('backbone.') and not k.startswith('backbone.pyramid')
    }
    teacher = {
        k[len('teacher.'):]
        for k in weights if k.startswith('teacher.')
    }
    assert teacher == student
    assert any(k.startswith('backbone.pyramid.split_16to8') for k in weights)

    options = fast_options(synthir_root, 2)
    options[options.index('model.backbone.init_cfg=None')] = (
        f'model.backbone.init_cfg.checkpoint={ckpt}')
    out = run_tool(['tools/train.py', DEMO_SEG, '--work-dir', seg_dir] +
                   options)
    log = out.stdout + out.stderr
    # every backbone and pyramid key loads; nothing under backbone. unused
    assert '0 keys kept their initial value' in log
    assert '0 checkpoint keys unused' in log
    assert osp.isfile(osp.join(seg_dir, 'iter_2.pth'))
