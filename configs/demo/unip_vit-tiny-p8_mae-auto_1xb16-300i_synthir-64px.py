# Step 2 of the UNIP demo: NMI-HAD distils the attention of the demo MAE
# teacher into the tiny student of the fine-tuning config. The teacher layer
# is chosen by NMI ('auto'); the teacher checkpoint comes from step 1:
#   --cfg-options model.teacher_checkpoint=<step-1 checkpoint>
_base_ = [
    '../_base_/datasets/infmix_synthir.py', '../_base_/pretrain_runtime.py'
]
model = dict(
    type='mmir.NMIHAD',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='mmir.AttnViT',
        arch=dict(
            embed_dims=64,
            num_layers=4,
            num_heads=4,
            feedforward_channels=256),
        img_size=64,
        patch_size=8,
        last_heads=8,
        pos_embed_type='sincos',
        drop_path_mode='constant',
        drop_path_rate=0.1),
    teacher=dict(
        type='mmir.AttnViT',
        arch=dict(
            embed_dims=128,
            num_layers=6,
            num_heads=8,
            feedforward_channels=512),
        img_size=64,
        patch_size=8),
    teacher_layer='auto',
    teacher_checkpoint='work_dirs/demo/teacher/iter_400.pth',
    teacher_prefix='backbone.')
find_unused_parameters = True
train_dataloader = dict(batch_size=16)
max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=30),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - 30,
        by_epoch=False,
        begin=30,
        end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
