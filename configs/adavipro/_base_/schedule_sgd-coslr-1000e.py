# VP's and AdaViPro's training: SGD with momentum 0.9, no weight decay, lr 1
# for the mask generator and 40 for the prompt (lr_mult 40), 1000 linear
# warm-up iterations then cosine over 1000 epochs, batch 256 on one GPU,
# mixed precision (VP's GradScaler); the Gumbel temperature decays x0.98
# per epoch (mmir.GumbelTemperatureHook).
_base_ = ['../../_base_/pretrain_runtime.py']
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='SGD', lr=1.0, momentum=0.9, weight_decay=0.),
    paramwise_cfg=dict(custom_keys={'prompter.': dict(lr_mult=40.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=1000),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=1000,
        convert_to_iter_based=True)
]
train_cfg = dict(by_epoch=True, max_epochs=1000, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2))
custom_hooks = [
    dict(type='mmir.TorchRNGStateHook'),
    dict(type='mmir.GumbelTemperatureHook', decay=0.98)
]
