# The UNIP / PAD downstream schedule with the MFNet-T values.
_base_ = ['./seg_poly-warmup-14k_soda.py']
max_iters = 9800
warmup_iters = 1000
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-6,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=700)
default_hooks = dict(checkpoint=dict(interval=4900))
