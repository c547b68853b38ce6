# iTPN-B with a CLIP-B/16 teacher on ImageNet-1K, 300 epochs (the authors'
# itpn_clip `clip_tpn_base_3324_patch16_224`; paper Table 1: 85.9 top-1).
# BEiT's block-wise masking (75 of 196 units) replaces the masked units by
# the backbone's mask token at stage 3; the fused pyramid and an auxiliary
# branch (2 blocks on main block 18's output) regress the frozen CLIP's
# patch tokens after an affine-free LayerNorm, SmoothL1 on all 196 tokens,
# weights 1 and 1. Drop path 0.1, layer scale 0.1, relative position bias,
# one C-MLP per top-down step. 2048 images per update (the authors' 64
# GPUs x 32, written 8 x 256 as mmpretrain does).
#   tools/dist_train.sh \
#       configs/itpn/itpn-clip-b_hivit-base-p16_8xb256-amp-coslr-300e_in1k.py 8
# The teacher is mmpretrain's conversion of OpenAI's CLIP ViT-B/16 (512-d
# tokens); a local copy: --cfg-options model.target_generator.tokenizer_path=
_base_ = ['../_base_/pretrain_runtime.py']
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
# The authors' student input: Inception mean / std (0.5, 0.5); the
# teacher's: CLIP's. Fine-tune from this checkpoint with the same student
# statistics (127.5 on every channel).
data_preprocessor = dict(
    type='TwoNormDataPreprocessor',
    mean=[127.5] * 3,
    std=[127.5] * 3,
    second_mean=[0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255],
    second_std=[0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255],
    to_rgb=True)
model = dict(
    type='mmir.iTPN',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='mmir.iTPNHiViT',
        arch='base',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        ape=True,
        rpe=True,
        layer_scale_init_value=0.1,
        mask_token=True,
        pyramid=dict(fpn_dim=256, fpn_depth=1)),
    head=dict(
        type='mmir.iTPNClipDistillHead',
        embed_dims=512,
        teacher_dims=512,
        fpn_dim=256,
        num_heads=8,
        aux_depth=2,
        layer_scale_init_value=0.1),
    target_generator=dict(
        type='mmpretrain.CLIPGenerator',
        tokenizer_path=  # noqa
        'https://download.openmmlab.com/mmselfsup/1.x/target_generator_ckpt/clip_vit_base_16.pth.tar'  # noqa
    ),
    target='clip',
    aux_layer_ratio=0.75,
    teacher_extra_tokens=1)
# The authors' augmentation: colour jitter 0.4, flip, one random resized
# crop (scale 0.08-1) resized to 224 twice, bicubic for the student and
# lanczos for the teacher; block-wise mask of 75 units (16 to 75 per block).
# PackInputs puts the mask in `data_samples[i].mask` as a tensor by default
# (naming it in algorithm_keys would overwrite it with the numpy array).
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
        second_size=224,
        interpolation='bicubic',
        second_interpolation='lanczos',
        scale=(0.08, 1.0)),
    dict(
        type='BEiTMaskGenerator',
        input_size=(14, 14),
        num_masking_patches=75,
        max_num_patches=75,
        min_num_patches=16),
    dict(type='PackInputs'),
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
        split='train',
        pipeline=train_pipeline))
# The authors' optimiser: AdamW (0.9, 0.98) (their README's
# `--opt_betas 0.98`), eps 1e-8, lr 1.5e-3 for 2048 images, weight decay
# 0.05 except on biases, 1-D parameters and the position embedding;
# gradients clipped at norm 3; warm-up 5 epochs (their default), then
# cosine to 1e-5, by iteration; AMP.
max_epochs = 300
warmup_epochs = 5
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW', lr=1.5e-3, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.05),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
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
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=50, max_keep_ckpts=2))
auto_scale_lr = dict(base_batch_size=2048)
