# Copyright (c) mmir contributors. All rights reserved.
"""The PAD chain on SynthIR, 2 iterations per step: demo MAE -> PAD-MAE
(RoI crops, frozen encoder) -> adapter ViT fine-tuning with relative
position bias and Feature2Pyramid, each step loading the previous
checkpoint strictly."""
import os.path as osp

import torch

from ..conftest import REPO, run_tool
from .test_unip_demo_chain import TEACHER, pretrain_options
from .utils import checkpoint_weights, fast_options

PAD = osp.join(REPO, 'configs/pad/'
               'pad_vit-128d-p8_demo-mae-pre_1xb16-200i_synthir-64px.py')
FINETUNE = osp.join(
    REPO, 'configs/pad/benchmarks/mmseg/'
    'upernet_adapter-vit-128d-p8_pad-demo-pre_1xb8-1k_synthir-soda-64x64.py')


def test_pad_chain_trains_only_adapters_and_decoder(synthir_root, tmp_path):
    for converter in ('infmix', 'msip'):
        run_tool([
            f'tools/dataset_converters/{converter}.py', synthir_root,
            '--synthir'
        ])
    run_tool([
        'tools/dataset_converters/generate_rois.py', '--config', PAD,
        '--data-root', synthir_root, '--workers', '1'
    ])
    teacher_dir, pad_dir = str(tmp_path / 'teacher'), str(tmp_path / 'pad')
    run_tool(['tools/train.py', TEACHER, '--work-dir', teacher_dir] +
             pretrain_options(synthir_root))
    teacher_ckpt = osp.join(teacher_dir, 'iter_2.pth')
    out = run_tool(['tools/train.py', PAD, '--work-dir', pad_dir] +
                   pretrain_options(synthir_root) +
                   [f'model.init_cfg.checkpoint={teacher_ckpt}'])
    log = out.stdout + out.stderr
    assert 'PADScaleWarmupHook: 6 patchwise scales train from iteration 2' \
        in log
    assert '42 keys kept their initial value' in log  # 6 blocks x 7

    mae = checkpoint_weights(teacher_ckpt)
    pad = checkpoint_weights(osp.join(pad_dir, 'iter_2.pth'))
    assert set(pad) - set(mae) == {
        k for k in pad if '.ffn.adapter.' in k
    }
    frozen = [k for k in mae if k.startswith(('backbone.', 'neck.decoder_e'))]
    trained = [k for k in mae if k not in frozen and 'pos_embed' not in k]
    assert all(torch.equal(pad[k], mae[k]) for k in frozen)
    assert all(not torch.equal(pad[k], mae[k]) for k in trained)

    seg_dir = str(tmp_path / 'seg')
    options = fast_options(synthir_root, 2)
    options[options.index('model.backbone.init_cfg=None')] = (
        'model.backbone.init_cfg.checkpoint=' +
        osp.join(pad_dir, 'iter_2.pth'))
    out = run_tool(['tools/train.py', FINETUNE, '--work-dir', seg_dir] +
                   options)
    # Only the layer scales (2 per block) and the relative position tables
    # are new; the trained adapters load with the rest.
    assert '18 keys kept their initial value' in out.stdout + out.stderr
    assert osp.isfile(osp.join(seg_dir, 'iter_2.pth'))
