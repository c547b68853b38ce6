# Step 1 of the UNIP demo: a tiny MAE teacher (128-d, 6 blocks, 8 heads,
# patch 8) pre-trained on SynthIR with InfMix's pipeline at 64 px, a CPU
# stand-in for the ImageNet MAE-L teacher of the paper.
_base_ = [
    './_base_/mae_vit-128d-p8.py', '../_base_/datasets/infmix_synthir.py',
    '../_base_/pretrain_runtime.py'
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})
train_dataloader = dict(batch_size=16)
max_iters = 400
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1.5e-3, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=40),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - 40,
        by_epoch=False,
        begin=40,
        end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
