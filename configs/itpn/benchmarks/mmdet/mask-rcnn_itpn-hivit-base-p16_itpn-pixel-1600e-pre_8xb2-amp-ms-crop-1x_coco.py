# iTPN-B Mask R-CNN 1x on COCO (the authors' pixel_itpn_base_1x_ld090_dp005;
# paper Table 2: 53.0 box AP / 46.5 mask AP from the 1600-epoch pixel
# model). The pre-trained integral pyramid is the neck: the backbone
# (`out_type='det'`) gives its three 256-d levels (strides 4, 8, 16) and
# strides 32 and 64 by 2x2 average pooling, so `neck=None`; RPN on strides
# 4-64, RoI extractors on 4-32, a 4-conv + 1-FC box head with SyncBN and
# GIoU loss (weight 10) on decoded boxes. DETR-style multi-scale resize and
# crop, ImageNet mean / std, 8 GPUs x 2 images, 12 epochs with steps at 9
# and 11 (the authors' 1x), AdamW 2e-4 (0.9, 0.999), weight decay 0.05,
# layer decay 0.90 over the 30 blocks, drop path 0.05, AMP. Set the
# pre-training checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['mmir'], allow_failed_imports=False)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmir.iTPNHiViT',
        arch='base',
        # the position embedding keeps its 14x14 pre-training table and is
        # interpolated to the input grid at every forward (the authors')
        img_size=224,
        patch_size=16,
        drop_path_rate=0.05,
        ape=True,
        rpe=False,
        # the pre-trained depth; the authors build 1 and drop the second
        # C-MLP of each top-down step (configs/itpn/README.md)
        pyramid=dict(fpn_dim=256, fpn_depth=2),
        out_type='det',
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/itpn-pixel_hivit-base-p16_8xb512-amp-'
            'coslr-1600e_in1k/epoch_1600.pth',
            prefix='backbone.')),
    neck=None,
    rpn_head=dict(
        anchor_generator=dict(strides=[4, 8, 16, 32, 64])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=[4, 8, 16, 32]),
        bbox_head=dict(
            _delete_=True,
            type='Shared4Conv1FCBBoxHead',
            in_channels=256,
            conv_out_channels=256,
            fc_out_channels=1024,
            roi_feat_size=7,
            num_classes=80,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=False,
            reg_decoded_bbox=True,
            norm_cfg=norm_cfg,
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_bbox=dict(type='GIoULoss', loss_weight=10.0)),
        mask_roi_extractor=dict(featmap_strides=[4, 8, 16, 32])))
# augmentation strategy of DETR / Sparse R-CNN, as the authors
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomChoice',
        transforms=[[
            dict(
                type='RandomChoiceResize',
                scales=[(480, 1333), (512, 1333), (544, 1333), (576, 1333),
                        (608, 1333), (640, 1333), (672, 1333), (704, 1333),
                        (736, 1333), (768, 1333), (800, 1333)],
                keep_ratio=True)
        ],
                    [
                        dict(
                            type='RandomChoiceResize',
                            scales=[(400, 1333), (500, 1333), (600, 1333)],
                            keep_ratio=True),
                        dict(
                            type='RandomCrop',
                            crop_type='absolute_range',
                            crop_size=(384, 600),
                            allow_negative_crop=True),
                        dict(
                            type='RandomChoiceResize',
                            scales=[(480, 1333), (512, 1333), (544, 1333),
                                    (576, 1333), (608, 1333), (640, 1333),
                                    (672, 1333), (704, 1333), (736, 1333),
                                    (768, 1333), (800, 1333)],
                            keep_ratio=True)
                    ]]),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# BEiT-style layer decay: patch and position embedding at depth 0, block k
# at k + 1, the pyramid and the heads at lr; no weight decay on biases,
# 1-D parameters (norms), the position embedding and relative positions.
optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        layer_decay_rate=0.90,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0)
        }))
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=500),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[9, 11],
        gamma=0.1)
]
# mmengine does not checkpoint the torch generator; this makes --resume exact.
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
