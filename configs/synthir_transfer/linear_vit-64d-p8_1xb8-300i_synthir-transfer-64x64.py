# Linear probing in the SynthIR transfer benchmark, UNIP's LP protocol at
# demo size: the frozen 64-d student ViT of the UNIP demo, raw outputs of its
# 4 blocks concatenated at stride 8, one 1x1 conv (no neck, no auxiliary
# head). Data and schedule come from tools/benchmarks/synthir_transfer.py
# (split files of the benchmark's labelled tree); the checkpoint is set with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../demo/upernet-llfpn_vit-tiny-p8_unip-pre_1xb8-1k_synthir-soda-64x64.py'
]
embed_dims = 64
num_layers = 4
model = dict(
    backbone=dict(
        out_indices=tuple(range(num_layers)),
        frozen_stages=num_layers,
        drop_path_rate=0.0),
    neck=None,
    decode_head=dict(
        _delete_=True,
        type='FCNHead',
        in_channels=[embed_dims] * num_layers,
        in_index=list(range(num_layers)),
        input_transform='resize_concat',
        channels=embed_dims * num_layers,
        num_convs=0,
        concat_input=False,
        dropout_ratio=0.0,
        num_classes={{_base_.num_classes}},
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=None)
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
