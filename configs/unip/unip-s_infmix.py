# UNIP-S: a ViT-S/16 student distilled by NMI-HAD from layer 18 of a frozen
# MAE-L teacher on InfMix (UNIP, ICLR 2025). The headline config:
#   tools/dist_train.sh configs/unip/unip-s_infmix.py 8
# 8 GPUs x 256 images x 2 accumulation steps = 4096 images per update.
# Teacher weights: MAE's official `mae_pretrain_vit_large.pth` (timm names)
# at `checkpoints/`; override with
#   --cfg-options model.teacher_checkpoint=/path/to/mae_pretrain_vit_large.pth
_base_ = ['../_base_/datasets/infmix.py', '../_base_/pretrain_runtime.py']

model = dict(
    type='mmir.NMIHAD',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='mmir.AttnViT',
        arch='deit-small',  # 384-d, 12 blocks, 6 heads
        img_size=224,
        patch_size=16,
        last_heads=16,  # the teacher's heads, matched one to one
        pos_embed_type='sincos',
        drop_path_mode='constant',
        drop_path_rate=0.1,
        init_scheme='xavier'),  # UNIP's: xavier Linear, CLS ~ N(0, 0.02)
    teacher=dict(
        type='mmir.AttnViT', arch='large', img_size=224, patch_size=16),
    teacher_layer=18,
    teacher_checkpoint='checkpoints/mae_pretrain_vit_large.pth',
    teacher_key_map='timm_vit',
    # UNIP's --loss_type KL; 'mmir.AttentionCELoss' is its CE option.
    head=dict(
        type='mmir.AttentionDistillHead',
        loss=dict(type='mmir.AttentionKLLoss', temperature=1.0)))
# The student's last block trains only norm1 and q/k (v, proj and MLP get
# no gradient), as in the authors' code.
find_unused_parameters = True

optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    accumulative_counts=2,
    optimizer=dict(
        type='AdamW', lr=2.4e-3, betas=(0.9, 0.95), weight_decay=0.05),
    # timm's param_groups_weight_decay: no decay on biases and 1-D params.
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=95,
        eta_min=0.0,
        by_epoch=True,
        begin=5,
        end=100,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=20, max_keep_ckpts=2))
auto_scale_lr = dict(base_batch_size=4096)
