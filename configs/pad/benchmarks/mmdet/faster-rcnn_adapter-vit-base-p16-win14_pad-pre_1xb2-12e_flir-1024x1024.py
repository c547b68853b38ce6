# PAD fine-tuning on FLIR (person, bicycle, car): the authors' ViTDet Mask
# R-CNN with the mask head off, i.e. Faster R-CNN, on the adapter ViT-B/16
# at 1024 px without CLS token: 14x14 windowed attention except in blocks
# 3, 6, 9 and 12 (global), decomposed relative positions (zero-init), drop
# path 0.1, PAD's patchwise-scale adapters kept and trained; the last
# block's map (no final norm) -> simple feature pyramid (strides 4-64) ->
# 2-conv RPN, 4conv1fc box head with LayerNorm. Large-scale jitter at 1024,
# 1 GPU x 2 images, 12 epochs (53,172 iterations), AdamW 1e-4 with layer
# decay 0.7, warm-up 250 iterations, steps at epochs 8 and 11, AMP. Set the
# PAD-MAE checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
# (convert the authors' files with tools/model_converters/pad_to_mmir.py).
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../../../_base_/datasets/flir.py', '../../../_base_/det_runtime.py'
]
# mmpretrain's channel LayerNorm, by scope: mmdet has none.
norm_cfg = dict(type='mmpretrain.LN2d', eps=1e-6)
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    backbone=dict(
        _delete_=True,
        type='mmir.AdapterViT',
        arch='base',
        img_size=1024,
        patch_size=16,
        out_type='featmap',
        final_norm=False,
        with_cls_token=False,
        window_size=14,
        global_attn_indices=(2, 5, 8, 11),
        rel_pos='decomposed',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/pad_vit-base-p16_8xb256-amp-coslr-100e_msip/'
            'epoch_100.pth',
            prefix='backbone.',
            allow_missing=[r'\.rel_pos_[hw]$'])),
    neck=dict(
        _delete_=True,
        type='mmir.SimpleFPN',
        in_channels=768,
        out_channels=256,
        num_outs=5),
    rpn_head=dict(num_convs=2),
    roi_head=dict(
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            conv_out_channels=256,
            norm_cfg=norm_cfg,
            num_classes=3)))
# detectron2's AdamW for ViTDet: weight decay 0.1 except on norms and the
# position embedding; lr x 0.7^(12 - i) in block i, x 1 after the backbone.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.1),
    paramwise_cfg=dict(
        layer_decay_rate=0.7,
        norm_decay_mult=0.0,
        custom_keys={'backbone.pos_embed': dict(decay_mult=0.0)}))
# 4,431 iterations per epoch: the steps fall at 35,448 and 48,741.
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
randomness = dict(seed=42)
