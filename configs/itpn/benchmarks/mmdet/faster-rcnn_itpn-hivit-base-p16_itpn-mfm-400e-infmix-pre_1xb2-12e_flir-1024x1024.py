# iTPN-B fine-tuning on FLIR (person, bicycle, car): Faster R-CNN with the
# pre-trained integral pyramid as the neck (`out_type='det'`: the three
# 256-d levels at strides 4, 8, 16 and strides 32, 64 by average pooling,
# `neck=None`), the authors' detection heads (4-conv + 1-FC box head with
# SyncBN, GIoU loss on decoded boxes) and backbone settings (drop path
# 0.05, AdamW with weight decay 0.05, layer decay 0.90 over the 30
# blocks), on the FLIR protocol of PAD's config (large-scale jitter at
# 1024, infrared mean / std, 1 GPU x 2 images, 12 epochs, lr 1e-4 with a
# 250-iteration warm-up and steps at epochs 8 and 11, AMP). Pre-trained by
# default with pixel + MFM on InfMix; set another iTPN checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../../../_base_/datasets/flir.py', '../../../_base_/det_runtime.py'
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    backbone=dict(
        _delete_=True,
        type='mmir.iTPNHiViT',
        arch='base',
        # 14x14 pre-training table, interpolated to the input grid
        img_size=224,
        patch_size=16,
        drop_path_rate=0.05,
        ape=True,
        rpe=False,
        pyramid=dict(fpn_dim=256, fpn_depth=2),
        out_type='det',
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/itpn-mfm_hivit-base-p16_8xb256-amp-'
            'coslr-400e_infmix/epoch_400.pth',
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
            num_classes=3,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=False,
            reg_decoded_bbox=True,
            norm_cfg=norm_cfg,
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_bbox=dict(type='GIoULoss', loss_weight=10.0))))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        layer_decay_rate=0.90,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0)
        }))
max_epochs = 12
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=250),
    dict(
        type='MultiStepLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        milestones=[8, 11],
        gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1))
auto_scale_lr = dict(enable=False, base_batch_size=2)
