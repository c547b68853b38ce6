# CIM's infrared tokenizer on InfMix (UNIP's mix, every image grayscale on
# three channels): mmir's convolutional VQ-VAE (mmir.VQTokenizer) with 1024
# l2-normalised codes of 32 dimensions, downsampling 8 (stages of 64, 128
# and 256 channels) on 112 px crops: CIM-B's tokenizer view, 14x14 tokens.
# InfMix's pipeline (RGB2Gray, RandomResizedCrop scale (0.2, 1) bicubic,
# flip) with 112 px crops; pixels in [0, 1] (mean 0, std 255), the
# tokenizer's interface. AdamW, lr 1e-3 for 512 images per step, 5 warm-up
# epochs then cosine, fp32 (nearest-code search in fp16 is imprecise).
# These settings are mmir's choices (CIM uses OpenAI's DALL-E dVAE).
#   tools/dist_train.sh \
#     configs/cim/vq-tokenizer_conv-d8-v1024_8xb64-adamw-100e_infmix-112px.py 8
# CIM then loads it with
#   dict(type='mmir.VQTokenizer', vocab_size=1024, code_dims=32,
#        channels=(64, 128, 256), downsample=8,
#        init_cfg=dict(type='mmir.StrictPretrained', prefix='tokenizer.',
#                      checkpoint='work_dirs/<this config>/epoch_100.pth'))
_base_ = ['../_base_/datasets/infmix.py', '../_base_/pretrain_runtime.py']
crop_size = 112
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=[0.] * 3, std=[255.] * 3,
    to_rgb=True)
model = dict(
    type='mmir.VQTokenizerPretrain',
    data_preprocessor=data_preprocessor,
    tokenizer=dict(
        type='mmir.VQTokenizer',
        vocab_size=1024,
        code_dims=32,
        channels=(64, 128, 256),
        downsample=8),
    reconstruction_loss='l2',
    beta=0.25,
    entropy_weight=0.02,
    entropy_temperature=0.05)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(
        type='RandomResizedCrop',
        scale=crop_size,
        crop_ratio_range=(0.2, 1.0),
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
max_epochs = 100
warmup_epochs = 5
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.99),
                   weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'codebook': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=1e-5,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=512)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2))
