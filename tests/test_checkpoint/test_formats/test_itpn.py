# Copyright (c) mmir contributors. All rights reserved.
"""iTPN checkpoints of the authors' code, converted, load strictly into
mmir's models and reproduce the authors' features (the reference model is
in :mod:`.itpn_reference`)."""
import os
from typing import Dict, List, Sequence

import pytest
import torch

from mmir.checkpoint import read_state_dict
from mmir.checkpoint.formats import itpn_to_mmir
from mmir.checkpoint.formats.itpn import relative_position_index
from mmir.models import iTPN, iTPNHiViT
from mmir.registry import MODELS, WEIGHT_INITIALIZERS
from ...conftest import REPO, run_tool
from .itpn_reference import (ARCH, DEC_DEPTH, DEC_DIMS, DEC_HEADS, FPN_DIM,
                             GRID, HEADS, PATCH, SIZE, TASK_HEADS,
                             TEACHER_DIMS, VARIANTS, downstream_checkpoint,
                             grid_index, pretraining_checkpoint,
                             random_reference)

TOL = dict(atol=1e-5, rtol=1e-5)
PIXEL_HEAD = dict(
    type='mmpretrain.MAEPretrainHead',
    norm_pix=True,
    patch_size=PATCH,
    loss=dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2'))
TEACHER = dict(
    type='mmpretrain.VisionTransformer',
    arch=dict(
        embed_dims=TEACHER_DIMS,
        num_layers=1,
        num_heads=2,
        feedforward_channels=64),
    img_size=SIZE,
    patch_size=PATCH)


def backbone_cfg(variant: str, out_type: str = 'det') -> dict:
    """The ``iTPNHiViT`` of a reference variant (LN eps included)."""
    cfg = VARIANTS[variant]
    norm_cfg = dict(type='LN', eps=cfg['eps'])
    pyramid = None
    if cfg['fpn_depth']:
        pyramid = dict(
            fpn_dim=FPN_DIM, fpn_depth=cfg['fpn_depth'], norm_cfg=norm_cfg)
    return dict(
        type='mmir.iTPNHiViT',
        arch=ARCH,
        img_size=SIZE,
        rpe=cfg['rpe'],
        layer_scale_init_value=0.1 if cfg['layer_scale'] else 0.,
        norm_cfg=norm_cfg,
        pyramid=pyramid,
        out_type=out_type)


def pixel_model() -> iTPN:
    """mmir's pixel pre-training model (without MFM, which the authors'
    files do not hold)."""
    return MODELS.build(
        dict(
            type='mmir.iTPN',
            backbone=backbone_cfg('pixel'),
            neck=dict(
                type='mmir.iTPNDecoder',
                grid=(GRID, GRID),
                fpn_dim=FPN_DIM,
                decoder_embed_dim=DEC_DIMS,
                decoder_depth=DEC_DEPTH,
                decoder_num_heads=DEC_HEADS),
            head=PIXEL_HEAD))


def clip_model() -> iTPN:
    """mmir's CLIP-target pre-training model."""
    return MODELS.build(
        dict(
            type='mmir.iTPN',
            backbone=dict(backbone_cfg('clip'), mask_token=True),
            head=dict(
                type='mmir.iTPNClipDistillHead',
                embed_dims=ARCH['embed_dims'],
                teacher_dims=TEACHER_DIMS,
                fpn_dim=FPN_DIM,
                num_heads=HEADS),
            target_generator=TEACHER,
            target='clip'))


def check_every_key_reported(meta: dict, source: Sequence[str]) -> None:
    """Each source key renamed or dropped with a reason, never both."""
    renamed, dropped = set(meta['renamed_keys']), set(meta['dropped_keys'])
    assert not renamed & dropped
    assert renamed | dropped == set(source)
    assert set(meta['drop_reasons']) == dropped


def check_maps(ours: Sequence[torch.Tensor],
               theirs: List[torch.Tensor]) -> None:
    """The same number of maps, each the same."""
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        torch.testing.assert_close(mine, reference, **TOL)


def images(batch: int = 2) -> torch.Tensor:
    return torch.randn(
        batch, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(1),
        dtype=torch.float64)


def test_pixel_pretraining_reproduces_every_level(tmp_path):
    ref = random_reference('pixel')
    src, dst = str(tmp_path / 'checkpoint-799.pth'), str(tmp_path / 'o.pth')
    weights = pretraining_checkpoint(ref, src)
    meta = itpn_to_mmir(src, dst)['meta']
    assert meta['layout'] == 'pixel' and meta['dropped_keys'] == []
    assert meta['backbone']['pyramid'] == dict(fpn_dim=FPN_DIM, fpn_depth=1)
    check_every_key_reported(meta, weights)

    model = pixel_model()
    model.load_state_dict(read_state_dict(dst), strict=True)
    model = model.double().eval()
    x = images()
    with torch.no_grad():
        check_maps(model.backbone(x), ref.det_maps(x))

        # the masked path and the decoder
        torch.manual_seed(3)
        stages, mask, restore = model.backbone.forward_masked(x, 0.75)
        ids_keep = restore.argsort(1)[:, :stages[2].shape[1]]
        levels = model.backbone.pyramid(stages)
        theirs = ref.pyramid(ref.stages(x, ids_keep=ids_keep)[0])
        check_maps(levels, theirs)
        pred = model.neck(model.neck.embed(levels, restore), (GRID, GRID))
        torch.testing.assert_close(pred, ref.decode(theirs, restore), **TOL)


def test_detection_checkpoint_loads_into_the_backbone(tmp_path):
    ref = random_reference('det', seed=1)
    src, dst = str(tmp_path / 'coco.pth'), str(tmp_path / 'mmir.pth')
    state_dict = downstream_checkpoint(ref, src, 'det')
    checkpoint = itpn_to_mmir(src, dst)
    meta = checkpoint['meta']
    assert meta['layout'] == 'downstream'
    assert meta['dropped_keys'] == sorted(TASK_HEADS['det'])
    check_every_key_reported(meta, state_dict)
    assert all(k.startswith('backbone.') for k in checkpoint['state_dict'])

    backbone = MODELS.build(backbone_cfg('det'))
    WEIGHT_INITIALIZERS.build(
        dict(type='StrictPretrained', checkpoint=dst,
             prefix='backbone.'))(backbone)
    x = images()
    with torch.no_grad():
        check_maps(backbone.double().eval()(x), ref.det_maps(x))
    # a wrong pairing of levels and names would show: swap two blocks
    swapped = read_state_dict(dst, 'backbone.')
    for name in ('norm2.weight', 'mlp.fc1.weight'):
        first, last = (f'pyramid.fpn_modules.{i}.{name}' for i in (0, 2))
        swapped[first], swapped[last] = swapped[last], swapped[first]
    backbone.load_state_dict(swapped)
    with pytest.raises(AssertionError), torch.no_grad():
        check_maps(backbone.double()(x), ref.det_maps(x))


def test_segmentation_checkpoint_with_bias_and_layer_scale(tmp_path):
    ref = random_reference('seg', seed=2)
    src, dst = str(tmp_path / 'ade.pth'), str(tmp_path / 'mmir.pth')
    state_dict = downstream_checkpoint(ref, src, 'seg')
    checkpoint = itpn_to_mmir(src, dst)
    meta = checkpoint['meta']
    assert meta['dropped_keys'] == sorted(
        [*TASK_HEADS['seg'], 'backbone.relative_position_index'])
    assert meta['backbone']['rpe'] and meta['backbone']['layer_scale']
    check_every_key_reported(meta, state_dict)
    first = sum(ARCH['depths'][:2]) + 2
    assert meta['filled_keys'] == [
        f'backbone.blocks.{i}.attn.relative_position_index'
        for i in range(first, first + ARCH['depths'][2])
    ]

    backbone = MODELS.build(backbone_cfg('seg', 'seg'))
    backbone.load_state_dict(read_state_dict(dst, 'backbone.'), strict=True)
    x = images()
    with torch.no_grad():
        check_maps(backbone.double().eval()(x), ref.seg_maps(x))


def test_clip_pretraining_converts_with_the_documented_drops(tmp_path):
    ref = random_reference('clip', seed=3)
    src, dst = str(tmp_path / 'clip.pth'), str(tmp_path / 'mmir.pth')
    weights = pretraining_checkpoint(ref, src)
    meta = itpn_to_mmir(src, dst)['meta']
    assert meta['layout'] == 'clip'
    assert meta['dropped_keys'] == [
        'cls_pt_layers.0.attn.relative_position_bias_table',
        'cls_pt_layers.1.attn.relative_position_bias_table',
        'relative_position_index'
    ]
    check_every_key_reported(meta, weights)
    assert meta['renamed_keys']['mask_token'] == 'backbone.mask_token'

    model = clip_model()
    # the CLIP teacher is not in the authors' file: everything else is
    result = model.load_state_dict(read_state_dict(dst), strict=False)
    assert result.unexpected_keys == []
    assert set(result.missing_keys) == {
        f'target_generator.{key}'
        for key in model.target_generator.state_dict()
    }
    model = model.double().eval()
    x = images()
    masked = torch.rand(2, GRID**2, generator=torch.Generator().manual_seed(
        4)) < 0.4
    with torch.no_grad():
        check_maps(model.backbone(x), ref.det_maps(x))
        stages, aux = model.backbone.forward_mask_token(
            x, masked, model.aux_index)
        theirs, their_aux = ref.stages(
            x, masked=masked, keep_index=model.aux_index)
        check_maps([*stages, aux], [*theirs, their_aux])
        main, aux_pred = model.head.predict(
            model.backbone.pyramid(stages), aux)
        for block in ref.cls_pt_layers:
            block.attn.relative_position_bias_table.zero_()
        their_main, their_aux_pred = ref.clip_predict(
            ref.pyramid(theirs), their_aux)
        torch.testing.assert_close(main, their_main, **TOL)
        # with the dropped bias at zero the branch differs only by the
        # LN eps of the authors' auxiliary blocks (1e-5, mmir's 1e-6)
        torch.testing.assert_close(aux_pred, their_aux_pred, atol=1e-4,
                                   rtol=1e-4)


def test_classification_checkpoint_keeps_the_backbone(tmp_path):
    ref = random_reference('classification', seed=4)
    src, dst = str(tmp_path / 'ft.pth'), str(tmp_path / 'mmir.pth')
    weights = pretraining_checkpoint(ref, src)
    meta = itpn_to_mmir(src, dst)['meta']
    assert meta['layout'] == 'classification'
    assert meta['dropped_keys'] == [
        'fc_norm.bias', 'fc_norm.weight', 'head.bias', 'head.weight',
        'relative_position_index'
    ]
    assert 'pyramid' not in meta['backbone']
    check_every_key_reported(meta, weights)
    backbone = MODELS.build(backbone_cfg('classification', 'stages'))
    backbone.load_state_dict(read_state_dict(dst, 'backbone.'), strict=True)
    x = images()
    with torch.no_grad():
        check_maps(backbone.double().eval()(x), ref.stage_maps(x))


def test_index_buffers_are_mmir_own():
    assert torch.equal(relative_position_index(GRID), grid_index())
    backbone = iTPNHiViT(arch=ARCH, img_size=SIZE, rpe=True)
    ours = relative_position_index(GRID)
    for name, buffer in backbone.named_buffers():
        assert torch.equal(buffer, ours), name


def convert(tmp_path, weights: Dict[str, torch.Tensor]) -> dict:
    src = str(tmp_path / 'bad.pth')
    torch.save(dict(model=weights, epoch=3), src)
    return itpn_to_mmir(src, str(tmp_path / 'out.pth'))


def test_other_layouts_are_refused_naming_keys(tmp_path):
    vit = {
        'cls_token': torch.zeros(1, 1, 8),
        'pos_embed': torch.zeros(1, 5, 8),
        'patch_embed.proj.weight': torch.zeros(8, 3, 16, 16),
        'blocks.0.attn.qkv.weight': torch.zeros(24, 8),
        'norm.weight': torch.ones(8),
    }
    with pytest.raises(KeyError, match=r"bad.pth is not an iTPN.*'cls_tok"):
        convert(tmp_path, vit)
    # with a classifier it is checked as a fine-tuned iTPN
    with pytest.raises(KeyError) as error:
        convert(tmp_path, dict(vit, **{'head.weight': torch.zeros(2, 8)}))
    message = error.value.args[0]
    assert "blocks.* are 'a'" in message
    assert "unknown keys ['cls_token', 'norm.weight', 'pos_embed']" in message
    assert "'absolute_pos_embed'" in message and 'fc_norm.bias' in message
    assert not os.path.exists(tmp_path / 'out.pth')


@pytest.mark.parametrize('key', [
    'decoder_blocks.0.mlp.fc2.bias', 'block_8to4.0.norm2.weight',
    'blocks.4.attn.proj.weight', 'blocks.1.reduction.weight',
    'align_dim_16tofpn.bias', 'mask_token'
])
def test_a_missing_key_is_named(tmp_path, key):
    weights = random_reference('pixel').state_dict()
    del weights[key]
    with pytest.raises(KeyError, match=rf"missing keys \['{key}'\]"):
        convert(tmp_path, weights)


def test_inconsistent_files_are_refused(tmp_path):
    weights = random_reference('clip').state_dict()
    with pytest.raises(KeyError, match=r"unknown keys \['teacher.*1 in"):
        convert(tmp_path, dict(weights, **{'teacher.w': torch.ones(1)}))
    # a layer scale in some blocks only
    partial = {k: v for k, v in weights.items() if k != 'blocks.5.gamma_1'}
    with pytest.raises(KeyError, match=r"missing keys \['blocks.5.gamma_1'"):
        convert(tmp_path, partial)
    # a bias table without its index
    no_index = {
        k: v
        for k, v in weights.items() if k != 'relative_position_index'
    }
    with pytest.raises(KeyError, match=r"\['relative_position_index'\]"):
        convert(tmp_path, no_index)
    transposed = dict(
        weights,
        relative_position_index=weights['relative_position_index'].T.flip(0))
    with pytest.raises(KeyError, match='not the index of a square grid'):
        convert(tmp_path, transposed)
    # block_8to4 deeper than block_16to8: mmir has one fpn_depth
    deeper = dict(weights, **{
        f'block_8to4.1.{k[len("block_8to4.0."):]}': v
        for k, v in weights.items() if k.startswith('block_8to4.0.')
    })
    with pytest.raises(KeyError, match=r"unknown keys \['block_8to4.1"):
        convert(tmp_path, deeper)


def test_command_line_tool(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    src = str(tmp_path / 'clip.pth')
    weights = pretraining_checkpoint(random_reference('clip'), src)
    dst = str(tmp_path / 'out' / 'itpn_mmir.pth')
    out = run_tool(['tools/model_converters/itpn_to_mmir.py', src, dst],
                   env=env).stdout
    assert os.path.exists(dst) and 'layout: clip' in out
    lines = out.splitlines()
    for key in weights:
        assert any(line.startswith(f'{key} ') for line in lines), key
    assert 'blocks.4.gamma_1 -> backbone.blocks.4.gamma_1' in lines
    assert 'lm_head.weight -> head.lm_head.weight' in lines
    assert any(line.startswith('relative_position_index dropped: ')
               for line in lines)

    torch.save(dict(model=dict(weights, extra=torch.ones(1))), src)
    bad = run_tool(
        ['tools/model_converters/itpn_to_mmir.py', src,
         str(tmp_path / 'bad.pth')],
        env=env,
        check=False)
    assert bad.returncode != 0 and 'Traceback' not in bad.stderr
    assert 'clip.pth' in bad.stderr and "'extra'" in bad.stderr
