# Copyright (c) mmir contributors. All rights reserved.
"""AdaViPro configs: the nine benchmarks with AdaViPro and VP, the paper's
and VP's settings, the learning rates each trained part gets, and the
infrared demo chain (linear probe -> AdaViPro, VP) through tools/train.py."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmir.models import AdaViProClassifier, PadPrompter
from ..conftest import REPO, run_tool
from ..test_tools.test_unip_demo_chain import pretrain_options
from ..test_tools.utils import checkpoint_weights
from .helpers import build_model, load_config

ADAVIPRO = osp.join(REPO, 'configs', 'adavipro')
CLIP = sorted(glob.glob(osp.join(ADAVIPRO, '*_clip-vit-base-p32-*.py')))
DATASETS = ('cifar10', 'cifar100', 'dtd', 'food101', 'sun397', 'flowers102',
            'ucf101', 'eurosat', 'oxford-pets')
SIZES = (5, 30, 60, 90, 112)
NAME = '{}_clip-vit-base-p32-pad{}_1xb256-1000e_{}.py'
DEMO = '{}_vit-128d-p8{}_1xb32-300i_synthir-cls-64px.py'
TEACHER = osp.join(REPO, 'configs', 'demo',
                   'mae_vit-128d-p8_1xb16-400i_synthir-64px.py')


def test_every_benchmark_has_adavipro_and_vp_at_every_prompt_size():
    names = {osp.basename(p) for p in CLIP}
    assert names == {
        NAME.format(method, size, dataset)
        for method in ('adavipro', 'vp') for size in SIZES
        for dataset in DATASETS
    }


@pytest.mark.parametrize('path', CLIP, ids=osp.basename)
def test_clip_configs_hold_the_paper_settings(path):
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    model = cfg.model
    vision = model.classifier.vision_backbone
    assert (vision.arch, vision.patch_size, vision.pre_norm) == ('base', 32,
                                                                 True)
    assert model.templates == ['This is a photo of a {}']
    # CLIP's weights load strictly, never through a lenient init_cfg
    assert model.classifier_checkpoint.endswith('.pth')
    assert 'init_cfg' not in model.classifier
    size = int(name.split('-pad')[1].split('_')[0])
    assert model.prompter.prompt_size == size
    if name.startswith('vp_'):
        assert model.mask_generator is None
        assert [h.type for h in cfg.custom_hooks] == ['mmir.TorchRNGStateHook']
    else:
        gen = model.mask_generator
        assert (gen.region_size, gen.embed_dims) == (32, 64)
        assert gen.tau == 5. and gen.hard
        hook = [h for h in cfg.custom_hooks
                if h.type == 'mmir.GumbelTemperatureHook']
        assert hook and hook[0].decay == 0.98
    optim = cfg.optim_wrapper
    assert optim.optimizer.type == 'SGD' and optim.optimizer.momentum == 0.9
    assert optim.optimizer.lr == 1.0 and optim.optimizer.weight_decay == 0
    assert optim.paramwise_cfg.custom_keys['prompter.'].lr_mult == 40
    assert cfg.train_cfg.max_epochs == 1000
    assert cfg.train_dataloader.batch_size == 256
    warmup = cfg.param_scheduler[0]
    assert warmup.type == 'LinearLR' and warmup.end == 1000
    # VP's preprocessing for training and test; disjoint splits
    train, test = cfg.train_dataloader.dataset, cfg.test_dataloader.dataset
    for dataset in (train, test):
        crop = [t for t in dataset.pipeline if t.type == 'CenterCrop']
        assert crop[0].crop_size == 224
    assert train.type == test.type and train != test


def test_vp_prompt_of_30_px_has_69840_parameters():
    cfg = Config.fromfile(osp.join(ADAVIPRO, NAME.format('vp', 30, 'dtd')))
    prompter = PadPrompter(
        **{k: v for k, v in cfg.model.prompter.items() if k != 'type'})
    assert sum(p.numel() for p in prompter.parameters()) == 69840


def test_prompt_and_mask_generator_get_their_learning_rates():
    cfg = load_config(osp.join(ADAVIPRO, NAME.format('adavipro', 30,
                                                     'cifar10')))
    model = build_model(cfg)
    # AMP needs a GPU; the parameter groups do not depend on it
    wrapper = build_optim_wrapper(
        model, dict(cfg.optim_wrapper, type='OptimWrapper'))
    lrs = {}
    for group in wrapper.optimizer.param_groups:
        for param in group['params']:
            lrs[id(param)] = group['lr']
    for part, lr in (('prompter', 40.), ('mask_generator', 1.)):
        for param in getattr(model, part).parameters():
            assert lrs[id(param)] == lr, part
    assert all(not p.requires_grad for p in model.classifier.parameters())


def test_demo_chain_probes_then_prompts(synthir_root, tmp_path):
    run_tool(['tools/dataset_converters/infmix.py', synthir_root,
              '--synthir'])
    run_tool(['tools/dataset_converters/synthir_classification.py',
              synthir_root])
    teacher_dir = str(tmp_path / 'teacher')
    run_tool(['tools/train.py', TEACHER, '--work-dir', teacher_dir] +
             pretrain_options(synthir_root))
    data = [
        f'{loader}.dataset.data_root={synthir_root}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ] + [
        f'{loader}.num_workers=0'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ] + [
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=4'
    ]
    linear_dir = str(tmp_path / 'linear')
    out = run_tool([
        'tools/train.py',
        osp.join(ADAVIPRO, 'linear_vit-128d-p8_mae-demo-pre_1xb32-300i_'
                 'synthir-cls-64px.py'), '--work-dir', linear_dir,
        '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={teacher_dir}/iter_2.pth'
    ] + data)
    assert 'accuracy/top1' in out.stdout + out.stderr
    linear = checkpoint_weights(osp.join(linear_dir, 'iter_2.pth'))
    for method, suffix in (('adavipro', '-pad8'), ('vp', '-pad8')):
        work_dir = str(tmp_path / method)
        out = run_tool([
            'tools/train.py',
            osp.join(ADAVIPRO, DEMO.format(method, suffix)), '--work-dir',
            work_dir, '--cfg-options',
            f'model.classifier_checkpoint={linear_dir}/iter_2.pth'
        ] + data)
        log = out.stdout + out.stderr
        assert 'accuracy/top1' in log
        assert ('prompt_on' in log) == (method == 'adavipro')
        weights = checkpoint_weights(osp.join(work_dir, 'iter_2.pth'))
        # the frozen classifier is the probed one, unchanged
        for key, value in linear.items():
            assert torch.equal(weights['classifier.' + key], value), key
        assert any(k.startswith('prompter.') for k in weights)


def test_demo_models_are_built_as_written():
    cfg = load_config(osp.join(ADAVIPRO, DEMO.format('adavipro', '-pad8')))
    model = build_model(cfg)
    assert type(model) is AdaViProClassifier and not model.is_clip
    assert model.prompter.prompt().shape == (1, 3, 64, 64)
    assert model.mask_generator.region_size == 8
