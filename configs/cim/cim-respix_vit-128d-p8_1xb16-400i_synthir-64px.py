# CIM on SynthIR, for CPU (minutes on 2 cores): step 2 of the demo chain
# (configs/cim/README.md). The demo tokenizer of step 1 (8 x 8 tokens of
# 4 px at 32 px, 256 codes) gives the golden tokens; a 64-d two-block BEiT
# generator sees the 64 px view with 24 of its 64 patches masked (BEiT's
# ratio, 38 %); the enhancer is the 128-d demo ViT (6 blocks, 8 heads, patch
# 8; the downstream demos' ViT) with a ResPix head (5 x 5 window: BEiT's 9
# at 16 px patches, scaled to 8 px patches). InfMix's statistics.
#   python tools/train.py configs/cim/\
#       vq-tokenizer_conv-demo-d4-v256_1xb16-300i_synthir-32px.py \
#       --work-dir work_dirs/demo/cim-tokenizer
#   python tools/train.py \
#       configs/cim/cim-respix_vit-128d-p8_1xb16-400i_synthir-64px.py \
#       --work-dir work_dirs/demo/cim
_base_ = [
    '../_base_/datasets/infmix_synthir.py', '../_base_/pretrain_runtime.py'
]
embed_dims = 128
vocab_size = 256
two_view_preprocessor = dict(
    type='TwoNormDataPreprocessor',
    mean=[0.3801 * 255] * 3,
    std=[0.1871 * 255] * 3,
    second_mean=[0., 0., 0.],
    second_std=[255., 255., 255.],
    to_rgb=True)
model = dict(
    type='mmir.CIM',
    data_preprocessor=two_view_preprocessor,
    backbone=dict(
        type='mmpretrain.VisionTransformer',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=6,
            num_heads=8,
            feedforward_channels=4 * embed_dims),
        img_size=64,
        patch_size=8,
        out_type='raw',
        final_norm=True),
    head=dict(
        type='mmir.ResPixHead',
        in_channels=embed_dims,
        patch_size=8,
        loss=dict(type='mmir.ResPixLoss', window_size=5, criterion='L2')),
    generator=dict(
        type='mmpretrain.BEiTPretrainViT',
        arch=dict(
            embed_dims=64,
            num_layers=2,
            num_heads=4,
            feedforward_channels=256),
        img_size=64,
        patch_size=8,
        out_type='raw',
        final_norm=True,
        layer_scale_init_value=0.1),
    generator_head=dict(
        type='mmpretrain.BEiTV1Head',
        embed_dims=64,
        num_embed=vocab_size,
        loss=dict(type='mmpretrain.CrossEntropyLoss')),
    tokenizer=dict(
        type='mmir.VQTokenizer',
        vocab_size=vocab_size,
        code_dims=32,
        channels=(16, 32),
        downsample=4,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/demo/cim-tokenizer/iter_300.pth',
            prefix='tokenizer.')),
    objective='respix',
    enhancer_weight=1.0,
    temperature=1.0,
    resize_mode='bicubic')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomResizedCropAndInterpolationWithTwoPic',
        size=64,
        second_size=32,
        interpolation='bicubic',
        second_interpolation='lanczos',
        scale=(0.2, 1.0)),
    dict(
        type='BEiTMaskGenerator',
        input_size=(8, 8),
        num_masking_patches=24,
        max_num_patches=None,
        min_num_patches=4),
    dict(type='PackInputs')
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
max_iters = 400
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1.5e-3, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=40),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - 40,
        by_epoch=False,
        begin=40,
        end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
