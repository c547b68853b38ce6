# PAD: ViT-B/16 adapters pre-trained with MAE on MSIP, the ImageNet MAE
# frozen (PAD, arXiv 2312.08192):
#   tools/dist_train.sh \
#       configs/pad/pad_vit-base-p16_8xb256-amp-coslr-100e_msip.py 8
# Trains the patchwise-scale adapters (1.23M parameters) and the MAE
# decoder but its input projection; the scale predictors stay at 0.5 for
# the first 61 of 100 epochs. Initialised from mmpretrain/MMSelfSup's
# 1600-epoch MAE ViT-B, which includes the decoder; override with
#   --cfg-options model.init_cfg.checkpoint=PATH
_base_ = [
    'mmpretrain::_base_/models/mae_vit-base-p16.py',
    '../_base_/datasets/msip.py', '../_base_/pretrain_runtime.py',
    './_base_/schedule_adamw-coslr-100e_msip.py'
]
in1k_mae = ('checkpoints/mae_vit-base-p16_8xb512-fp16-coslr-1600e_in1k_'
            '20220825-f7569ca2.pth')
model = dict(
    type='mmir.PADMAE',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='mmir.AdapterMAEViT'),
    frozen_encoder=True,
    init_cfg=dict(
        _delete_=True,
        type='mmir.StrictPretrained',
        checkpoint=in1k_mae,
        allow_missing=[r'\.ffn\.adapter\.']))
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=20, max_keep_ckpts=2))
custom_hooks = [
    dict(type='mmir.TorchRNGStateHook'),
    # PAD's code freezes the predictors while epoch <= round(0.6 x 100).
    dict(type='mmir.PADScaleWarmupHook', start_ratio=0.61),
]
