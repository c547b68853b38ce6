# CIM ResPix with a ViT-B/16 enhancer on InfMix (UNIP's infrared mix, every
# image grayscale on three channels) with mmir's infrared tokenizer in place
# of DALL-E's RGB one (configs/cim/README.md says why), trained first:
#   tools/dist_train.sh configs/cim/\
#       vq-tokenizer_conv-d8-v1024_8xb64-adamw-100e_infmix-112px.py 8 \
#       --work-dir work_dirs/cim-tokenizer_infmix
#   tools/dist_train.sh \
#       configs/cim/cim-respix_vit-base-p16_8xb256-amp-coslr-300e_infmix.py 8
# InfMix's statistics for the first view (mean 0.3801, std 0.1871), its
# crop scale (0.2-1, as UNIP and PAD); no colour jitter on gray images.
_base_ = ['./cim-respix_vit-base-p16_8xb256-amp-coslr-300e_in1k.py']
vocab_size = 1024
data_preprocessor = dict(
    mean=[0.3801 * 255] * 3, std=[0.1871 * 255] * 3)
model = dict(
    data_preprocessor=data_preprocessor,
    generator_head=dict(num_embed=vocab_size),
    tokenizer=dict(
        _delete_=True,
        type='mmir.VQTokenizer',
        vocab_size=vocab_size,
        code_dims=32,
        channels=(64, 128, 256),
        downsample=8,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/cim-tokenizer_infmix/epoch_100.pth',
            prefix='tokenizer.')))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(
        type='RandomResizedCropAndInterpolationWithTwoPic',
        size=224,
        second_size=112,
        interpolation='bicubic',
        second_interpolation='lanczos',
        scale=(0.2, 1.0)),
    dict(
        type='BEiTMaskGenerator',
        input_size=(14, 14),
        num_masking_patches=75,
        max_num_patches=None,
        min_num_patches=16),
    dict(type='PackInputs')
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmir.InfMixDataset',
        data_root='data/infmix/',
        ann_file='infmix.txt',
        pipeline=train_pipeline))
