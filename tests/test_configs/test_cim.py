# Copyright (c) mmir contributors. All rights reserved.
"""CIM configs: they hold the spec's settings, every pre-training config
runs a training loss with two views and a mask, the enhancer's weights
load into every downstream config, and the SynthIR demo chain (tokenizer
-> CIM -> fine-tuning) trains through tools/train.py."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample

from mmir.models import CIM, DALLETokenizer, VQTokenizer
from ..conftest import REPO, run_tool
from ..test_checkpoint.test_formats.random_weights import randomize_
from ..test_tools.test_unip_demo_chain import pretrain_options
from ..test_tools.utils import checkpoint_weights, fast_options
from .helpers import build_model, load_config

CIM_DIR = osp.join(REPO, 'configs', 'cim')
PRETRAIN = sorted(glob.glob(osp.join(CIM_DIR, 'cim-*.py')))
TOKENIZERS = sorted(glob.glob(osp.join(CIM_DIR, 'vq-tokenizer_*.py')))
BENCHMARKS = sorted(glob.glob(osp.join(CIM_DIR, 'benchmarks', '*.py')))
SEG = sorted(glob.glob(osp.join(CIM_DIR, 'benchmarks', 'mmseg', '*.py')))
VIT_B = 'cim-{}_vit-base-p16_8xb256-amp-coslr-300e_{}.py'
RESNET = 'cim-respix_resnet50_8xb256-amp-coslr-300e_in1k.py'
DEMO_TOKENIZER = osp.join(
    CIM_DIR, 'vq-tokenizer_conv-demo-d4-v256_1xb16-300i_synthir-32px.py')
DEMO = osp.join(CIM_DIR, 'cim-{}_vit-128d-p8_1xb16-400i_synthir-64px.py')
DEMO_SEG = osp.join(
    CIM_DIR, 'benchmarks', 'mmseg',
    'upernet_vit-128d-p8_cim-demo-pre_1xb8-1k_synthir-soda-64x64.py')
BATCH = 2


def name(path: str) -> str:
    return osp.basename(path)


def test_configs_are_found():
    assert len(PRETRAIN) == 6 and len(TOKENIZERS) == 2
    assert len(BENCHMARKS) == 2 and len(SEG) == 3
    for path in PRETRAIN + TOKENIZERS + BENCHMARKS + SEG:
        assert 'mmir::' not in open(path).read(), path


def test_imagenet_configs_hold_the_spec_settings():
    cfg = Config.fromfile(osp.join(CIM_DIR, VIT_B.format('respix', 'in1k')))
    model = cfg.model
    assert model.objective == 'respix' and model.enhancer_weight == 1.0
    assert model.temperature == 1.0 and model.resize_mode == 'bicubic'
    assert model.backbone.arch == 'base' and model.backbone.patch_size == 16
    assert model.head.loss.window_size == 9
    assert model.head.loss.criterion == 'L2'
    assert model.tokenizer.type == 'mmir.DALLETokenizer'
    assert model.generator_head.num_embed == 8192
    # the tokenizer's view: 112 px (lanczos) for 14 x 14 tokens, [0, 1]
    crop, mask = cfg.train_pipeline[3], cfg.train_pipeline[4]
    assert (crop.size, crop.second_size) == (224, 112)
    assert crop.second_interpolation == 'lanczos'
    assert mask.input_size == (14, 14) and mask.num_masking_patches == 75
    assert model.data_preprocessor.second_mean == [0.] * 3
    assert model.data_preprocessor.second_std == [255.] * 3
    # BEiT's recipe: 1.5e-3 for 2048 images, 300 epochs, clip 3
    assert cfg.optim_wrapper.optimizer.lr == 1.5e-3
    assert cfg.auto_scale_lr.base_batch_size == 2048
    assert cfg.train_cfg.max_epochs == 300
    assert cfg.optim_wrapper.clip_grad.max_norm == 3.0

    revdet = Config.fromfile(
        osp.join(CIM_DIR, VIT_B.format('revdet', 'in1k'))).model
    assert revdet.objective == 'revdet' and revdet.head.type == (
        'mmir.RevDetHead')
    infmix = Config.fromfile(
        osp.join(CIM_DIR, VIT_B.format('respix', 'infmix')))
    assert infmix.model.tokenizer.type == 'mmir.VQTokenizer'
    assert infmix.model.tokenizer.vocab_size == (
        infmix.model.generator_head.num_embed)
    assert infmix.model.data_preprocessor.mean == [0.3801 * 255] * 3
    assert infmix.model.data_preprocessor.second_std == [255.] * 3
    assert infmix.train_dataloader.dataset.type == 'mmir.InfMixDataset'


def two_views(model: CIM, size: int):
    """The batch a CIM config's pipeline and preprocessor give: the first
    view normalised, the tokenizer's in [0, 1], block masks."""
    torch.manual_seed(0)
    grid = model.token_grid
    second = grid[0] * model.tokenizer.downsample
    img = torch.randn(BATCH, 3, size, size)
    views = [img, torch.rand(BATCH, 3, second, second)]
    samples = []
    for _ in range(BATCH):
        mask = torch.zeros(grid, dtype=torch.bool)
        mask[:grid[0] // 2, :grid[1] // 2] = True
        sample = DataSample()
        sample.set_mask(mask)
        samples.append(sample)
    return views, samples


@pytest.mark.parametrize('path', PRETRAIN, ids=name)
def test_pretrain_config_trains(path):
    cfg = load_config(path)
    model = build_model(cfg, init=True)
    assert type(model) is CIM
    tokenizer = (DALLETokenizer if 'DALLE' in cfg.model.tokenizer.type else
                 VQTokenizer)
    assert type(model.tokenizer) is tokenizer
    assert model.token_grid == tuple(
        s // model.generator.patch_embed.projection.stride[0]
        for s in cfg.input_size)
    views, samples = two_views(model, cfg.input_size[0])
    model.train()
    losses = model(views, samples, mode='loss')
    assert {'loss_gen', 'loss_enh', 'gen_acc', 'replaced'} <= set(losses)
    assert all(torch.isfinite(v) and v.dim() == 0 for v in losses.values())
    (losses['loss_gen'] + losses['loss_enh']).backward()
    for part in ('backbone', 'head', 'generator', 'generator_head'):
        params = [p for p in getattr(model, part).parameters()]
        assert any(p.grad is not None for p in params), part
    assert all(p.grad is None for p in model.tokenizer.parameters())


def cim_checkpoint(path: str, tmp_path) -> str:
    """A checkpoint of the shrunk CIM config at ``path``, every tensor
    drawn at random (so that a weight reset after loading shows)."""
    model = randomize_(build_model(load_config(path)), seed=1)
    ckpt = str(tmp_path / 'cim.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    return ckpt


@pytest.mark.parametrize('down,pre', [
    (BENCHMARKS[0], VIT_B.format('respix', 'in1k')),
    (BENCHMARKS[1], RESNET),
    (SEG[0], VIT_B.format('respix', 'infmix')),
], ids=lambda p: name(p)[:40])
def test_enhancer_weights_load_downstream(down, pre, tmp_path):
    ckpt = cim_checkpoint(osp.join(CIM_DIR, pre), tmp_path)
    cfg = load_config(down)
    # the config's own route (key map, allow_missing), the file replaced
    init_cfg = Config.fromfile(down).model.backbone.init_cfg
    cfg.model.backbone.init_cfg = dict(init_cfg, checkpoint=ckpt)
    model = build_model(cfg, init=True)
    saved = {
        k[len('backbone.'):]: v
        for k, v in checkpoint_weights(ckpt).items()
        if k.startswith('backbone.')
    }
    weights = model.backbone.state_dict()
    shared = saved.pop('rel_pos_bias.relative_position_bias_table', None)
    saved.pop('rel_pos_bias.relative_position_index', None)  # a constant
    for key in saved.keys() & weights.keys():
        torch.testing.assert_close(weights[key], saved[key], msg=key)
    # only the pre-training's final token norm is left out (beit_finetune)
    assert saved.keys() - weights.keys() <= {'ln1.weight', 'ln1.bias'}
    if shared is not None:  # copied into every block's own table
        tables = [k for k in weights if k.endswith('bias_table')]
        assert tables
        for key in tables:
            torch.testing.assert_close(weights[key], shared, msg=key)


def test_demo_chain_trains_tokenizer_cim_and_fine_tuning(
        synthir_root, tmp_path):
    run_tool(['tools/dataset_converters/infmix.py', synthir_root,
              '--synthir'])
    tok_dir, cim_dir = str(tmp_path / 'tokenizer'), str(tmp_path / 'cim')
    run_tool(['tools/train.py', DEMO_TOKENIZER, '--work-dir', tok_dir] +
             pretrain_options(synthir_root))
    tok_ckpt = osp.join(tok_dir, 'iter_2.pth')
    tokenizer = {
        k: v
        for k, v in checkpoint_weights(tok_ckpt).items()
        if k.startswith('tokenizer.')
    }
    assert tokenizer
    for objective in ('respix', 'revdet'):
        work_dir = f'{cim_dir}-{objective}'
        out = run_tool(
            ['tools/train.py',
             DEMO.format(objective), '--work-dir', work_dir] +
            pretrain_options(synthir_root) +
            [f'model.tokenizer.init_cfg.checkpoint={tok_ckpt}'])
        log = out.stdout + out.stderr
        assert 'loss_gen' in log and 'loss_enh' in log
        weights = checkpoint_weights(osp.join(work_dir, 'iter_2.pth'))
        # the tokenizer is the trained one, unchanged by CIM
        for key, value in tokenizer.items():
            assert torch.equal(weights[key], value), key

    ckpt = osp.join(f'{cim_dir}-respix', 'iter_2.pth')
    options = fast_options(synthir_root, 2)
    options[options.index('model.backbone.init_cfg=None')] = (
        f'model.backbone.init_cfg.checkpoint={ckpt}')
    seg_dir = str(tmp_path / 'seg')
    out = run_tool(['tools/train.py', DEMO_SEG, '--work-dir', seg_dir] +
                   options)
    log = out.stdout + out.stderr
    # every enhancer weight loads; only its final norm is not used
    assert "2 checkpoint keys unused ['ln1.bias', 'ln1.weight']" in log
    assert osp.isfile(osp.join(seg_dir, 'iter_2.pth'))
