# CIM's tokenizer on SynthIR, for CPU (minutes on 2 cores): mmir's
# convolutional VQ-VAE (mmir.VQTokenizer) with 256 codes of 32 dimensions,
# downsampling 4 (two stages of 16 and 32 channels) on 32 px crops, so that
# an 8x8 token grid matches the CIM demo (its enhancer sees 64 px in 8 px
# patches: 8x8); InfMix's pipeline on the SynthIR pool (grayscale,
# RandomResizedCrop scale (0.2, 1) bicubic, flip), pixels in [0, 1].
#   python tools/dataset_converters/infmix.py data/synthir --synthir
#   python tools/train.py \
#       configs/cim/vq-tokenizer_conv-demo-d4-v256_1xb16-300i_synthir-32px.py \
#       --work-dir work_dirs/demo/cim-tokenizer
# CIM then loads it with
#   dict(type='mmir.VQTokenizer', vocab_size=256, code_dims=32,
#        channels=(16, 32), downsample=4,
#        init_cfg=dict(type='mmir.StrictPretrained', prefix='tokenizer.',
#                      checkpoint='work_dirs/demo/cim-tokenizer/iter_300.pth'))
_base_ = [
    '../_base_/datasets/infmix_synthir.py', '../_base_/pretrain_runtime.py'
]
crop_size = 32
# [0, 1] pixels: the tokenizer's interface.
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=[0.] * 3, std=[255.] * 3,
    to_rgb=True)
model = dict(
    type='mmir.VQTokenizerPretrain',
    data_preprocessor=data_preprocessor,
    tokenizer=dict(
        type='mmir.VQTokenizer',
        vocab_size=256,
        code_dims=32,
        channels=(16, 32),
        downsample=4),
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
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.99),
                   weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'codebook': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, end=20),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - 20,
        by_epoch=False,
        begin=20,
        end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
