# MSIP (PAD): 178,756 infrared images from 8 sources. Types without a
# prefix are mmpretrain's: use it from configs with
# default_scope = 'mmpretrain'.
# Write the list with `python tools/dataset_converters/msip.py data/msip`;
# RoI proposals go to data/msip/roi/<list path without suffix>.txt, from
# `python tools/dataset_converters/generate_rois.py --config <config>` (see
# docs/datasets/pretraining.md).
dataset_type = 'mmir.MSIPDataset'
data_root = 'data/msip/'
# PAD's statistics (0.3801, 0.1871 in [0, 1]) on all three channels; model
# configs reuse this as `data_preprocessor = _base_.data_preprocessor`.
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[0.3801 * 255] * 3,
    std=[0.1871 * 255] * 3,
    to_rgb=True)
# The dataset gives `border` (100 px for DroneVehicle) and `rois`;
# CropBorder removes the border and moves the RoIs before the RoI crop.
# backend='pillow': PIL's antialiased bicubic, as PAD's torchvision
# resized_crop on PIL images (RandomRoICrop's own default is OpenCV's).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.CropBorder'),
    dict(type='mmir.RandomRoICrop', scale=224, p=0.85,
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
# PAD: 4096 images per step = batch x GPUs x accumulative_counts.
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
        ann_file='msip.txt',
        pipeline=train_pipeline))
