# PAD's baseline (c), continual full pre-training: the ImageNet MAE ViT-B
# pre-trained further on MSIP with every parameter trained, PAD's data,
# schedule and initialisation otherwise (PAD's code also has a variant with
# layer-wise lr decay 0.7).
_base_ = ['./pad_vit-base-p16_8xb256-amp-coslr-100e_msip.py']
model = dict(
    backbone=dict(type='MAEViT'), frozen_encoder=False, init_cfg=dict(
        allow_missing=[]))
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
