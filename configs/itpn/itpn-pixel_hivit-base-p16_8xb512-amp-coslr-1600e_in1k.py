# iTPN-B pixel pre-training on ImageNet-1K, 1600 epochs (the authors'
# README command; paper Table 1: 85.5 top-1, Table 2: Mask R-CNN 1x
# 53.0 / 46.5, ADE20K 53.5 mIoU): the 400-epoch config with the longer
# cosine, 40 warm-up epochs.
_base_ = ['./itpn-pixel_hivit-base-p16_8xb512-amp-coslr-400e_in1k.py']
max_epochs = 1600
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
default_hooks = dict(checkpoint=dict(interval=100))
