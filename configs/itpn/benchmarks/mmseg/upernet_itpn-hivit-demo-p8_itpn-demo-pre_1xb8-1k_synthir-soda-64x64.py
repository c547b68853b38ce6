# The iTPN demo fine-tuned on SynthIR (SODA layout), for CPU: the demo
# HiViT and its pre-trained pyramid of
# configs/itpn/itpn-mfm_hivit-demo-p8_1xb16-400i_synthir-64px.py as one
# backbone (`out_type='seg'`: each pyramid level concatenated with the
# stage of the same stride, strides 2-16 at 8 px units, [96, 128, 192,
# 192] channels) straight into UPerNet (no neck), layer decay 0.90 (the
# authors'), drop path 0.1; the UNIP demo's data, heads (64 channels) and
# schedule otherwise. The pre-training checkpoint is the default below;
# `model.backbone.init_cfg=None` trains the same model from scratch.
_base_ = [
    '../../../demo/'
    'upernet-llfpn_vit-tiny-p8_unip-pre_1xb8-1k_synthir-soda-64x64.py'
]
embed_dims = 128
fpn_dim = 64
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmir.iTPNHiViT',
        arch=dict(embed_dims=embed_dims, depths=(1, 1, 6), num_heads=4),
        img_size=64,
        patch_size=8,
        drop_path_rate=0.1,
        ape=True,
        rpe=False,
        pyramid=dict(fpn_dim=fpn_dim, fpn_depth=2),
        out_type='seg',
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/demo/itpn/iter_400.pth',
            prefix='backbone.')),
    neck=None,
    decode_head=dict(in_channels=[
        embed_dims // 4 + fpn_dim, embed_dims // 2 + fpn_dim,
        embed_dims + fpn_dim, embed_dims + fpn_dim
    ]),
    auxiliary_head=dict(in_channels=embed_dims + fpn_dim))
optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.90,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={'absolute_pos_embed': dict(decay_mult=0.0)}))
