# ImageNet-1K with BEiT's two views (mmpretrain's BEiT pre-training data):
# colour jitter 0.4, flip, one random resized crop (scale 0.08-1) at 224 px
# (bicubic) for the generator and the enhancer, and at 112 px (lanczos) for
# the tokenizer (14 x 14 tokens, one per 16 px patch); block-wise masking of
# 75 of the 196 patches, 16 or more per block (BEiT's default; the CIM paper's
# count is not known, see configs/cim/README.md). The first view is
# normalised with ImageNet's statistics, the second is left in [0, 1]: each
# tokenizer applies its own input mapping.
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
data_preprocessor = dict(
    type='TwoNormDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    second_mean=[0., 0., 0.],
    second_std=[255., 255., 255.],
    to_rgb=True)
num_masking_patches = 75
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(
        type='RandomResizedCropAndInterpolationWithTwoPic',
        size=224,
        second_size=112,
        interpolation='bicubic',
        second_interpolation='lanczos',
        scale=(0.08, 1.0)),
    dict(
        type='BEiTMaskGenerator',
        input_size=(14, 14),
        num_masking_patches=num_masking_patches,
        max_num_patches=None,
        min_num_patches=16),
    # The mask reaches data_samples[i].mask as a tensor by default.
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix=dict(img_path='train/'),
        pipeline=train_pipeline))
