# Linear probing in the SynthIR transfer benchmark for the iTPN rows: the
# frozen demo HiViT and its pyramid (configs/itpn/benchmarks/mmseg/
# upernet_itpn-hivit-demo-*), its four maps (each pyramid level with the
# stage of the same stride, strides 2-16 at 8 px units) concatenated at
# stride 2, one 1x1 conv; the schedule of the ViT rows' probes. Set the
# checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../itpn/benchmarks/mmseg/'
    'upernet_itpn-hivit-demo-p8_itpn-demo-pre_1xb8-1k_synthir-soda-64x64.py'
]
channels = [96, 128, 192, 192]
model = dict(
    backbone=dict(frozen_stages=4, drop_path_rate=0.0),
    decode_head=dict(
        _delete_=True,
        type='FCNHead',
        in_channels=channels,
        in_index=[0, 1, 2, 3],
        input_transform='resize_concat',
        channels=sum(channels),
        num_convs=0,
        concat_input=False,
        dropout_ratio=0.0,
        num_classes={{_base_.num_classes}},
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=None)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05))
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=30),
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=False,
        begin=30,
        end=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
