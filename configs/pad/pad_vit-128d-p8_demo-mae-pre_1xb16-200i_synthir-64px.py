# PAD on SynthIR, for CPU: adapters on the frozen demo MAE (step 1 of the
# UNIP demo, configs/demo/mae_vit-128d-p8_1xb16-400i_synthir-64px.py) with
# MSIP's pipeline (RandomRoICrop, flip) at 64 px. First write the list and
# pre-train the MAE:
#   python tools/dataset_converters/msip.py data/synthir --synthir
#   python tools/train.py \
#       configs/demo/mae_vit-128d-p8_1xb16-400i_synthir-64px.py \
#       --work-dir work_dirs/demo/teacher
# then train this one (the MAE checkpoint is the default below).
_base_ = [
    '../demo/_base_/mae_vit-128d-p8.py', '../_base_/datasets/msip_synthir.py',
    '../_base_/pretrain_runtime.py'
]
model = dict(
    type='mmir.PADMAE',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='mmir.AdapterMAEViT'),
    init_cfg=dict(
        _delete_=True,
        type='mmir.StrictPretrained',
        checkpoint='work_dirs/demo/teacher/iter_400.pth',
        allow_missing=[r'\.ffn\.adapter\.']))
train_dataloader = dict(batch_size=16)
max_iters = 200
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1.5e-3, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=60),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - 60,
        by_epoch=False,
        begin=60,
        end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
custom_hooks = [
    dict(type='mmir.TorchRNGStateHook'),
    dict(type='mmir.PADScaleWarmupHook', start_ratio=0.6),
]
