# PAD's baseline (a): MAE ViT-B/16 pre-trained from scratch on MSIP only,
# 400 epochs with 40 warm-up epochs, PAD's data and optimiser otherwise.
_base_ = [
    'mmpretrain::_base_/models/mae_vit-base-p16.py',
    '../_base_/datasets/msip.py', '../_base_/pretrain_runtime.py',
    './_base_/schedule_adamw-coslr-100e_msip.py'
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})
max_epochs = 400
warmup_epochs = 40
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=0.0,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=50, max_keep_ckpts=2))
