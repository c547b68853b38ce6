# PAD's pre-training schedule on MSIP (official commands): 100 epochs,
# 4096 images per update (8 GPUs x 256 x 2 accumulation steps), AdamW
# (0.9, 0.95), lr 1.6e-3 = 1e-4 x 4096 / 256, weight decay 0.05 except on
# biases and 1-D parameters (timm's add_weight_decay), linear warm-up for
# 30 epochs then half-cycle cosine to 0, by iteration; AMP, no gradient
# clipping.
max_epochs = 100
warmup_epochs = 30
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    accumulative_counts=2,
    optimizer=dict(
        type='AdamW', lr=1.6e-3, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
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
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=4096)
