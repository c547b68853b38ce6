# Step 3 of the UNIP demo: the NMI-HAD student fine-tuned with LL-FPN and
# UPerNet on SynthIR (SODA layout), in minutes on 2 CPU cores. The student
# checkpoint comes from step 2:
#   --cfg-options model.backbone.init_cfg.checkpoint=<step-2 checkpoint>
# and `model.backbone.init_cfg=None` trains the same model from scratch.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/datasets/synthir_soda.py'
]
embed_dims = 64
num_classes = 21
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[96.9255] * 3,
        std=[47.8976] * 3,
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size={{_base_.crop_size}}),
    backbone=dict(
        type='mmir.AttnViT',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=4,
            num_heads=4,
            feedforward_channels=4 * embed_dims),
        img_size={{_base_.crop_size}},
        patch_size=8,
        out_indices=(3, ),
        out_type='featmap',
        final_norm=False,
        layer_scale_init_value=1.0,
        drop_path_rate=0.1,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/demo/unip/iter_300.pth',
            prefix='backbone.',
            allow_missing=[r'gamma[12]\.weight$'])),
    neck=dict(type='mmir.LLFPN', embed_dim=embed_dims, norm_cfg=norm_cfg),
    decode_head=dict(
        type='UPerHead',
        in_channels=[embed_dims] * 4,
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=embed_dims,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=embed_dims,
        in_index=2,
        channels=embed_dims,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='slide', crop_size=(64, 64), stride=(43, 43)))

max_iters = 1000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=100),
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=False,
        begin=100,
        end=max_iters),
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=max_iters),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
