# FLIR ADAS thermal detection (person, bicycle, car), read by
# mmir.FLIRDataset from the COCO tree of tools/dataset_converters/flir.py.
# mmdet scope. Pipelines of PAD's ViTDet fine-tuning (large-scale jitter):
# flip, resize the long edge to 1024 x (0.1-2.0), 1024x1024 crop; test with
# the long edge at 1024. The batch of 2 is PAD's total batch.
dataset_type = 'mmir.FLIRDataset'
data_root = 'data/flir/'
image_size = (1024, 1024)
# For model configs: mean / std of the infrared images on all 3 channels;
# the padding to 1024x1024 stands for ViTDet's square padding.
ir_data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[96.9255] * 3,
    std=[47.8976] * 3,
    bgr_to_rgb=True,
    pad_size_divisor=32,
    batch_augments=[
        dict(type='BatchFixedSizePad', size=image_size, img_pad_value=0)
    ])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomResize',
        scale=image_size,
        ratio_range=(0.1, 2.0),
        keep_ratio=True),
    dict(
        type='RandomCrop',
        crop_type='absolute_range',
        crop_size=image_size,
        recompute_bbox=True,
        allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img=''),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric='bbox',
    format_only=False)
test_evaluator = val_evaluator
