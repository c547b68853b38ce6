# The PAD demo fine-tuned on SynthIR (SODA layout), for CPU: the adapter
# ViT of configs/pad/pad_vit-128d-p8_demo-mae-pre_1xb16-200i_synthir-64px.py
# with layer scale and relative position bias, blocks 2, 3, 4 and 6 ->
# Feature2Pyramid -> UPerNet, layer decay 0.65; the UNIP demo's data,
# heads and schedule otherwise. The PAD-MAE checkpoint is the default below;
# `model.backbone.adapter_layers=[]` with the demo MAE checkpoint gives the
# cross-domain fine-tuning baseline.
_base_ = [
    '../../../demo/'
    'upernet-llfpn_vit-tiny-p8_unip-pre_1xb8-1k_synthir-soda-64x64.py'
]
embed_dims = 128
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmir.AdapterViT',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=6,
            num_heads=8,
            feedforward_channels=4 * embed_dims),
        img_size={{_base_.crop_size}},
        patch_size=8,
        out_indices=(1, 2, 3, 5),
        out_type='featmap',
        final_norm=False,
        layer_scale_init_value=1.0,
        rel_pos='bias',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/demo/pad/iter_200.pth',
            prefix='backbone.',
            allow_missing=[
                r'gamma[12]\.weight$', r'relative_position_bias_table$'
            ])),
    neck=dict(
        _delete_=True,
        type='Feature2Pyramid',
        embed_dim=embed_dims,
        rescales=[4, 2, 1, 0.5],
        norm_cfg={{_base_.norm_cfg}}),
    decode_head=dict(in_channels=[embed_dims] * 4),
    auxiliary_head=dict(in_channels=embed_dims))
optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.65, bias_decay_mult=0.0, flat_decay_mult=0.0))
