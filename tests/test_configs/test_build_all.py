# Copyright (c) mmir contributors. All rights reserved.
"""Every config under configs/ builds the model it names, and that model,
shrunk for CPU (see :func:`.helpers.shrink_model`), runs a forward pass
whose outputs have the shapes and keys the config implies."""
import functools
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import pytest
import torch
from mmengine.config import Config

from ..conftest import REPO
from .helpers import (CONFIGS, build_model, init_default, load_config,
                      resolve_type, sub_scope)

BATCH = 2
# Upstream classes registered under another name than their own.
REGISTERED_AS = {'DALL-E': 'DALLEEncoder'}
# Packages whose classes mmengine's root registry holds.
ROOT_PACKAGES = ('mmengine', 'mmcv', 'torch')


def test_configs_are_collected():
    assert len(CONFIGS) > 0
    found = {
        osp.join(root, name)
        for root, _, names in os.walk(osp.join(REPO, 'configs'))
        if '_base_' not in root.split(osp.sep) for name in names
        if name.endswith('.py')
    }
    assert set(CONFIGS) == found


def test_shrink_model_rewrites_sizes_only():
    configs = osp.join(REPO, 'configs')
    unip = load_config(osp.join(configs, 'unip', 'unip-s_infmix.py'))
    student, teacher = unip.model.backbone, unip.model.teacher
    # deit-small: 6 heads and 16 in the last block; large: 16 heads
    assert student.arch == dict(
        embed_dims=48, num_layers=12, num_heads=6, feedforward_channels=192)
    assert teacher.arch == dict(
        embed_dims=32, num_layers=24, num_heads=16, feedforward_channels=128)
    assert student.last_heads == 16 and unip.model.teacher_layer == 18
    assert student.img_size == teacher.img_size == 64
    assert unip.input_size == (64, 64)

    pad = load_config(
        osp.join(configs, 'pad', 'pad_vit-base-p16_8xb256-amp-coslr-100e_'
                 'msip.py'))
    assert pad.model.backbone.arch['embed_dims'] == 36  # ViT-B: 12 heads
    assert pad.model.neck.embed_dim == 36
    assert pad.model.neck.num_patches == 16
    assert pad.model.neck.decoder_embed_dim == 512

    seg = load_config(
        osp.join(configs, 'unip', 'benchmarks', 'mmseg',
                 'linear_vit-small-p16_unip-100e-pre_2xb4-10k_mfnet-'
                 '512x512.py'))
    assert seg.model.decode_head.in_channels == [36] * 4
    assert seg.model.decode_head.channels == 4 * 36
    assert seg.model.backbone.out_indices == (3, 5, 7, 11)

    det = load_config(
        osp.join(configs, 'pad', 'benchmarks', 'mmdet',
                 'faster-rcnn_adapter-vit-base-p16-win14_pad-pre_1xb2-12e_'
                 'flir-1024x1024.py'))
    assert det.model.backbone.window_size == 2
    assert det.model.backbone.global_attn_indices == (2, 5, 8, 11)
    assert det.model.neck.in_channels == 36
    assert det.model.neck.out_channels == 256
    assert 'init_cfg' not in det.model.backbone

    # a demo's arch is already a CPU-sized dict: kept as written
    path = osp.join(configs, 'demo',
                    'unip_vit-tiny-p8_mae-auto_1xb16-300i_synthir-64px.py')
    demo, written = load_config(path), Config.fromfile(path)
    for key in ('backbone', 'teacher'):
        for arg in ('arch', 'img_size', 'patch_size'):
            assert demo.model[key][arg] == written.model[key][arg]
    assert demo.model.teacher_checkpoint is None


@functools.lru_cache(maxsize=None)
def built(path: str) -> Tuple[Config, torch.nn.Module]:
    """The shrunk config at ``path`` and its initialised model, built
    once."""
    torch.manual_seed(0)
    cfg = load_config(path)
    return cfg, build_model(cfg, init=True)


def assert_types(module: torch.nn.Module, cfg: dict, scope: Optional[str],
                 where: str) -> None:
    """``module`` and its configured submodules have the configured types.

    Recurses into every ``key=dict(type=...)`` of ``cfg`` for which
    ``module.<key>`` is a module (backbone, teacher, neck, heads, losses,
    data preprocessor, ...).
    """
    expected = resolve_type(cfg, scope)
    assert type(module) is expected, (
        f'{where}: built {type(module).__name__}, the config names '
        f'{cfg["type"]} ({expected.__module__}.{expected.__name__})')
    if isinstance(cfg['type'], str):
        # The registered name is the class name, from the package that the
        # prefix (else the scope, or mmengine's root registry) names.
        *prefix, name = cfg['type'].split('.')
        packages = prefix[:1] or [sub_scope(cfg, scope), *ROOT_PACKAGES]
        assert REGISTERED_AS.get(name, name) == expected.__name__, where
        assert expected.__module__.split('.')[0] in packages, where
    for key, value in cfg.items():
        child = getattr(module, key, None)
        if isinstance(value, dict) and 'type' in value and isinstance(
                child, torch.nn.Module):
            assert_types(child, value, sub_scope(cfg, scope),
                         f'{where}.{key}')


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_builds_model(path):
    cfg, model = built(path)
    scope = cfg.get('default_scope')
    assert type(model) is resolve_type(cfg.model, scope)
    # the part that names the model: its backbone, or what it wraps
    part = next(k for k in ('backbone', 'tokenizer', 'classifier')
                if k in cfg.model)
    assert type(getattr(model, part)) is resolve_type(
        cfg.model[part], sub_scope(cfg.model, scope))
    assert_types(model, cfg.model, scope, 'model')
    assert sum(p.numel() for p in model.parameters()) > 0


def strict_loaders(cfg, scope: Optional[str]):
    """``(module config, scope)`` of every part of ``cfg`` whose
    ``init_cfg`` is ``mmir.StrictPretrained``."""
    if isinstance(cfg, (list, tuple)):
        for value in cfg:
            yield from strict_loaders(value, scope)
    elif isinstance(cfg, dict):
        if 'type' in cfg:
            init_cfg = cfg.get('init_cfg') or []
            entries = [init_cfg] if isinstance(init_cfg, dict) else init_cfg
            if any(str(e.get('type')).endswith('StrictPretrained')
                   for e in entries):
                yield cfg, scope
            scope = sub_scope(cfg, scope)
        for value in cfg.values():
            yield from strict_loaders(value, scope)


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_strict_checkpoints_load_after_initialisation(path):
    """mmengine applies ``mmir.StrictPretrained`` before a module's
    children initialise (only its own ``Pretrained`` waits), so it must
    sit on an mmir module, whose ``init_weights`` loads it last
    (``pretrained_last``; the loading-route tests check each one); on an
    upstream module the children would overwrite what it loaded."""
    cfg = Config.fromfile(path)
    for part, scope in strict_loaders(cfg.model, cfg.get('default_scope')):
        cls = resolve_type(part, scope)
        assert cls.__module__.startswith('mmir.'), (
            f'{part["type"]} loads mmir.StrictPretrained but is not an mmir '
            'module: use its mmir subclass (mmir.models.backbones.'
            'loaded_last)')


# The iTPN configs' forward checks are in test_itpn.py: the pyramid's maps
# and iTPN's losses and two-view inputs are not those of a plain ViT; CIM's
# (two views and a mask) in test_cim.py.
RUN_HERE = [
    p for p in CONFIGS if 'itpn' not in p and 'hivit' not in p
    and not osp.basename(p).startswith('cim-')
]


@pytest.mark.parametrize(
    'path', RUN_HERE, ids=[osp.relpath(p, REPO) for p in RUN_HERE])
def test_config_model_runs(path):
    from mmdet.models.detectors import BaseDetector
    from mmpretrain.models.classifiers import ImageClassifier
    from mmpretrain.models.selfsup import BaseSelfSupervisor
    from mmseg.models.segmentors import BaseSegmentor

    from mmir.models import AdaViProClassifier, VQTokenizerPretrain
    cfg, model = built(path)
    torch.manual_seed(0)
    inputs = torch.randn(BATCH, 3, *cfg.input_size)
    if isinstance(model, BaseSegmentor):
        check_segmentor(cfg, model, inputs)
    elif isinstance(model, BaseDetector):
        check_detector(cfg, model, inputs)
    elif isinstance(model, (BaseSelfSupervisor, VQTokenizerPretrain)):
        check_self_supervisor(model, inputs)
    elif isinstance(model, ImageClassifier):
        check_classifier(cfg, model, inputs)
    elif isinstance(model, AdaViProClassifier):
        check_prompted_classifier(model, inputs)
    else:
        pytest.fail(f'no forward check for {type(model).__name__}')


def assert_finite_scalars(losses: dict) -> None:
    """Every loss is a finite scalar tensor (lists hold such tensors)."""
    for key, value in losses.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            assert item.dim() == 0 and torch.isfinite(item), (key, item)


def backbone_patch(cfg: Config) -> int:
    """Patch size (stride of every output) of the config's ViT backbone."""
    scope = sub_scope(cfg.model, cfg.get('default_scope'))
    backbone = cfg.model.backbone
    default = init_default(resolve_type(backbone, scope), 'patch_size')
    return backbone.get('patch_size', default)


def level_strides(cfg: Config) -> List[float]:
    """Strides of the maps the heads get: the backbone's patch size, or for
    a pyramid neck (``rescales``, e.g. Feature2Pyramid, LL-FPN) patch size
    / rescale per level."""
    patch = backbone_patch(cfg)
    neck = cfg.model.get('neck')
    if neck is None:
        out_indices = cfg.model.backbone.get('out_indices', -1)
        count = len(out_indices) if isinstance(out_indices, Sequence) else 1
        return [patch] * count
    scope = sub_scope(cfg.model, cfg.get('default_scope'))
    default = init_default(resolve_type(neck, scope), 'rescales')
    rescales = neck.get('rescales', default)
    assert rescales is not None, f'no strides known for {neck.type}'
    return [patch / rescale for rescale in rescales]


def head_shape(cfg: Config, head: dict) -> Tuple[int, int, int, int]:
    """Logits shape of an mmseg decode head: its ``num_classes`` at the
    stride of its first input level (UPerNet fuses at that level, and
    ``resize_concat`` resizes to it)."""
    in_index = head.get('in_index', -1)
    first = in_index[0] if isinstance(in_index, Sequence) else in_index
    stride = level_strides(cfg)[first]
    height, width = cfg.input_size
    assert height % stride == 0 and width % stride == 0
    return (BATCH, head.num_classes, int(height // stride),
            int(width // stride))


def check_segmentor(cfg: Config, model, inputs: torch.Tensor) -> None:
    """Tensor-mode logits of every head, then one training loss."""
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    # (config, module, loss prefix) of each auxiliary head, as mmseg names
    aux_cfg = cfg.model.get('auxiliary_head')
    if aux_cfg is None:
        aux = []
    elif isinstance(aux_cfg, list):
        aux = [(head, module, f'aux_{i}') for i, (head, module) in enumerate(
            zip(aux_cfg, model.auxiliary_head))]
    else:
        aux = [(aux_cfg, model.auxiliary_head, 'aux')]
    model.eval()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
        feats = model.extract_feat(inputs)
        aux_logits = [module(feats) for _, module, _ in aux]
    assert logits.shape == head_shape(cfg, cfg.model.decode_head)
    for (head, _, _), out in zip(aux, aux_logits):
        assert out.shape == head_shape(cfg, head)

    height, width = cfg.input_size
    samples = []
    for _ in range(BATCH):
        sample = SegDataSample(
            gt_sem_seg=PixelData(data=torch.randint(
                0, cfg.model.decode_head.num_classes, (1, height, width))))
        sample.set_metainfo(
            dict(img_shape=(height, width), pad_shape=(height, width)))
        samples.append(sample)
    model.train()
    losses = model(inputs, samples, mode='loss')
    assert {key.split('.')[0] for key in losses} == {
        'decode', *(prefix for _, _, prefix in aux)}
    assert_finite_scalars(
        {k: v for k, v in losses.items() if 'loss' in k})


def check_detector(cfg: Config, model, inputs: torch.Tensor) -> None:
    """Pyramid levels at the anchor strides, and tensor-mode RoI outputs
    with the classes of the box head."""
    from mmdet.structures import DetDataSample
    height, width = cfg.input_size
    samples = []
    for _ in range(BATCH):
        sample = DetDataSample()
        sample.set_metainfo(
            dict(
                img_shape=(height, width),
                ori_shape=(height, width),
                pad_shape=(height, width),
                batch_input_shape=(height, width),
                scale_factor=(1.0, 1.0)))
        samples.append(sample)
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        (cls_score, bbox_pred), = model(inputs, samples, mode='tensor')
    neck = cfg.model.neck
    strides = cfg.model.rpn_head.anchor_generator.strides
    assert len(feats) == neck.num_outs == len(strides)
    for feat, stride in zip(feats, strides):
        assert feat.shape == (BATCH, neck.out_channels, height // stride,
                              width // stride)
    extractor = cfg.model.roi_head.bbox_roi_extractor
    assert list(extractor.featmap_strides) == list(
        strides[:len(extractor.featmap_strides)])
    head = cfg.model.roi_head.bbox_head
    num_classes = head.num_classes
    sigmoid = head.get('loss_cls', {}).get('use_sigmoid', False)
    agnostic = head.get('reg_class_agnostic', False)
    assert cls_score.shape[0] == bbox_pred.shape[0] > 0
    assert cls_score.shape[1] == num_classes + (0 if sigmoid else 1)
    assert bbox_pred.shape[1] == 4 * (1 if agnostic else num_classes)


def check_classifier(cfg: Config, model, inputs: torch.Tensor) -> None:
    """Scores for the config's classes, and a finite training loss (with
    the config's batch augments) that reaches the backbone."""
    from mmpretrain.structures import DataSample
    model.eval()
    with torch.no_grad():
        scores = model(inputs, mode='tensor')
    assert scores.shape == (BATCH, cfg.model.head.num_classes)
    model.train()
    samples = [DataSample().set_gt_label(i) for i in range(BATCH)]
    # the preprocessor mixes the batch and makes the labels the loss takes
    data = model.data_preprocessor(
        dict(inputs=inputs * 50 + 128, data_samples=samples), training=True)
    losses = model(**data, mode='loss')
    assert_finite_scalars(losses)
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in model.backbone.parameters()
               if p.requires_grad)


def check_prompted_classifier(model, inputs: torch.Tensor) -> None:
    """Logits for every class, and a training loss whose gradient reaches
    the prompt (and the mask generator) but not the frozen classifier.
    Class names kept next to a dataset (absent here) are replaced."""
    from mmpretrain.structures import DataSample
    if isinstance(model.class_names, str) and model.class_names.endswith(
            '.txt'):
        model.class_names = ['a', 'b', 'c']
    if model.is_clip:
        classes = len(model.clip_class_names())
    else:
        classes = model.classifier.head.num_classes
    model.eval()
    with torch.no_grad():
        assert model(inputs, mode='tensor').shape == (BATCH, classes)
    model.train()
    samples = [DataSample().set_gt_label(i % classes) for i in range(BATCH)]
    losses = model(inputs, samples, mode='loss')
    assert_finite_scalars(losses)
    losses['loss'].backward()
    trained = [model.prompter] + ([model.mask_generator]
                                  if model.mask_generator else [])
    for part in trained:
        assert all(p.grad is not None for p in part.parameters()
                   if p.numel())
    assert all(p.grad is None for p in model.classifier.parameters())


def check_self_supervisor(model, inputs: torch.Tensor) -> None:
    """One training loss: the algorithm's keys, finite scalars, and a
    gradient on trainable weights."""
    from mmpretrain.models.selfsup import MAE
    from mmpretrain.structures import DataSample

    from mmir.models import NMIHAD, VQTokenizerPretrain
    loss_keys = {
        MAE: {'loss'},
        NMIHAD: {'loss'},
        VQTokenizerPretrain:
        {'loss_rec', 'loss_vq', 'loss_entropy', 'code_perplexity'}
    }
    expected = [keys for cls, keys in loss_keys.items()
                if isinstance(model, cls)]
    assert expected, f'add the loss keys of {type(model).__name__}'
    model.train()
    losses = model(inputs, [DataSample() for _ in range(BATCH)],
                   mode='loss')
    assert set(losses) == expected[0]
    assert_finite_scalars(losses)
    sum(losses.values()).backward()
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert trainable and any(
        p.grad is not None and p.grad.abs().sum() > 0 for p in trainable)
