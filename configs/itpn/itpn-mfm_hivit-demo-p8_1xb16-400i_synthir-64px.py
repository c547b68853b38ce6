# iTPN on SynthIR, for CPU (minutes on 2 cores): pixel + masked feature
# modeling on the demo HiViT (128-d, 1 / 1 / 6 blocks, 4 heads: the
# backbone's 'demo' arch) with 8x8 units (inner 4x4 sub-tokens of 2 px) at
# 64 px, the pyramid at 64-d, a 128-d two-block pixel decoder and 128-d
# two-block MFM decoders; InfMix's pipeline on the SynthIR pool, as the
# demo MAE (configs/demo/mae_vit-128d-p8_1xb16-400i_synthir-64px.py).
#   python tools/dataset_converters/infmix.py data/synthir --synthir
#   python tools/train.py \
#       configs/itpn/itpn-mfm_hivit-demo-p8_1xb16-400i_synthir-64px.py \
#       --work-dir work_dirs/demo/itpn
# Pixel only: --cfg-options model.mfm_head=None
_base_ = [
    '../_base_/datasets/infmix_synthir.py', '../_base_/pretrain_runtime.py'
]
embed_dims = 128
fpn_dim = 64
model = dict(
    type='mmir.iTPN',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='mmir.iTPNHiViT',
        arch=dict(embed_dims=embed_dims, depths=(1, 1, 6), num_heads=4),
        img_size=64,
        patch_size=8,
        ape=True,
        rpe=False,
        pyramid=dict(fpn_dim=fpn_dim, fpn_depth=2)),
    neck=dict(
        type='mmir.iTPNDecoder',
        grid=(8, 8),
        fpn_dim=fpn_dim,
        decoder_embed_dim=128,
        decoder_depth=2,
        decoder_num_heads=4,
        patch_size=8),
    head=dict(
        type='mmpretrain.MAEPretrainHead',
        norm_pix=True,
        patch_size=8,
        loss=dict(type='mmpretrain.PixelReconstructionLoss',
                  criterion='L2')),
    mfm_head=dict(
        type='mmir.iTPNMFMHead',
        in_dims=128,
        stage_dims=(embed_dims // 4, embed_dims // 2, embed_dims),
        inner_patches=4,
        decoder_depth=2,
        num_heads=4,
        loss_weights=(1., 1., 1.),
        distance='l2',
        target_norm='layer_norm'),
    target='pixel',
    mask_ratio=0.75,
    # 0.99 rather than 0.996: over 400 steps the teacher should move.
    base_momentum=0.99)
train_dataloader = dict(batch_size=16)
max_iters = 400
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1.5e-3, betas=(0.9, 0.95), weight_decay=0.05),
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
