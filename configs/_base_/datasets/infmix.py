# InfMix (UNIP): InfPre + ImageNet-1K 200/class + COCO train2017, every
# image in grayscale. Types without a prefix are mmpretrain's: use it from
# configs with default_scope = 'mmpretrain'.
# Write the list with `python tools/dataset_converters/infmix.py data/infmix`
# (see docs/datasets/pretraining.md).
dataset_type = 'mmir.InfMixDataset'
data_root = 'data/infmix/'
# Gray infrared statistics of UNIP/PAD (0.3801, 0.1871 in [0, 1]); model
# configs reuse this as `data_preprocessor = _base_.data_preprocessor`.
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[0.3801 * 255] * 3,
    std=[0.1871 * 255] * 3,
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(
        type='RandomResizedCrop',
        scale=224,
        crop_ratio_range=(0.2, 1.0),
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
# UNIP: 4096 images per step = batch x GPUs x accumulative_counts.
train_dataloader = dict(
    batch_size=256,
    num_workers=10,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='infmix.txt',
        pipeline=train_pipeline))
