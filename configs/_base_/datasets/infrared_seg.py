# What the infrared segmentation benchmarks share (SODA, MFNet-T, SCUT-Seg):
# the UNIP / PAD fine-tuning pipelines (resize to (2048, 512) with ratio
# 0.5-2, 512x512 crops with cat_max_ratio 0.75, flip, photometric
# distortion; single-scale test at (2048, 512)), loaders and mIoU. Each
# dataset base sets its dataset type, root, folders and split files.
crop_size = (512, 512)
# For model configs: mean / std of the infrared images on all 3 channels,
# and the slide test of model.test_cfg.
ir_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[96.9255] * 3,
    std=[47.8976] * 3,
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
slide_test_cfg = dict(mode='slide', crop_size=crop_size, stride=(341, 341))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
