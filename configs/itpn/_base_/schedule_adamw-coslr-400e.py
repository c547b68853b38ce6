# The authors' pixel pre-training schedule (itpn_pixel, spec 1.6) for 400
# epochs: AdamW (0.9, 0.95), lr 1.5e-4 x 4096 / 256 = 2.4e-3 for 4096
# images per update, weight decay 0.05 except on biases, norms and 1-D
# parameters (timm's add_weight_decay), linear warm-up for 40 epochs (from
# 1e-4 x lr: mmengine needs a non-zero start) then cosine to 0, by
# iteration; AMP, no gradient clipping. Dataset configs set the batch and
# the accumulation steps that make 4096.
max_epochs = 400
warmup_epochs = 40
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW', lr=1.5e-4 * 4096 / 256, betas=(0.9, 0.95),
        weight_decay=0.05),
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
