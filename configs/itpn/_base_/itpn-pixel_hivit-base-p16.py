# iTPN-B pixel pre-training model (the authors' `itpn_base_dec512d8b`),
# mmpretrain scope (mmir types carry the `mmir.` prefix): HiViT-B (512-d,
# 3 / 3 / 24 blocks, 8 heads, absolute position embedding, no relative
# position bias) with the integral pyramid (256-d, 2 C-MLP blocks per
# top-down step) under `backbone.pyramid`, 75 % of the 16x16 units dropped,
# the three levels fused and decoded by an 8-block 512-d decoder into
# per-patch normalised pixels (MSE on the masked units).
model = dict(
    type='mmir.iTPN',
    backbone=dict(
        type='mmir.iTPNHiViT',
        arch='base',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.0,
        ape=True,
        rpe=False,
        pyramid=dict(fpn_dim=256, fpn_depth=2)),
    neck=dict(
        type='mmir.iTPNDecoder',
        grid=(14, 14),
        fpn_dim=256,
        decoder_embed_dim=512,
        decoder_depth=8,
        decoder_num_heads=16,
        patch_size=16),
    head=dict(
        type='mmpretrain.MAEPretrainHead',
        norm_pix=True,
        patch_size=16,
        loss=dict(type='mmpretrain.PixelReconstructionLoss',
                  criterion='L2')),
    target='pixel',
    mask_ratio=0.75)
# Masked feature modeling (MFM) for `model.mfm_head` (configs/itpn/README.md,
# "Choices"): an EMA copy of the backbone's stages (momentum 0.996 -> 1 on
# a cosine, `model.base_momentum`) sees the whole image; each pyramid level,
# through its own 2-block 512-d decoder on the pixel decoder's per-level
# sequence, regresses the teacher's stage feature at the same stride
# (stage 3 at 16, stage 2 at 8, stage 1 at 4), L2 on affine-free-LN
# targets, masked units only, weights 1, 1, 1.
itpn_mfm_head = dict(
    type='mmir.iTPNMFMHead',
    in_dims=512,
    stage_dims=(128, 256, 512),
    inner_patches=4,
    decoder_depth=2,
    num_heads=16,
    loss_weights=(1., 1., 1.),
    distance='l2',
    target_norm='layer_norm')
