# PAD fine-tuning model (the authors' MAE_adapt): a BEiT-style ViT-B/16 at
# 512 px with layer scale (init 1.0) and a relative position bias per block
# (zero-init), PAD's patchwise-scale adapters kept and trained; blocks 4, 6,
# 8 and 12 (no final norm) -> Feature2Pyramid (x4 deconv, x2 deconv,
# identity, max-pool) -> UPerNet with 768 channels, and an auxiliary FCN
# head on the third level. The backbone loads the `backbone.` weights of a
# PAD-MAE checkpoint strictly; only the layer scales and relative position
# biases are new.
_base_ = ['mmseg::_base_/models/upernet_mae.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmir.AdapterViT',
        arch='base',
        img_size=512,
        patch_size=16,
        out_indices=(3, 5, 7, 11),
        out_type='featmap',
        final_norm=False,
        layer_scale_init_value=1.0,
        rel_pos='bias',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/pad_vit-base-p16_8xb256-amp-coslr-100e_msip/'
            'epoch_100.pth',
            prefix='backbone.',
            allow_missing=[
                r'gamma[12]\.weight$', r'relative_position_bias_table$'
            ])),
    neck=dict(embed_dim=768, rescales=[4, 2, 1, 0.5], norm_cfg=norm_cfg),
    decode_head=dict(in_channels=[768] * 4, channels=768),
    auxiliary_head=dict(in_channels=768, in_index=2))
# BEiT-style fine-tuning: no weight decay on biases, norms, 1-D parameters,
# the position embedding, the CLS token and the relative position tables.
# Fine-tuning configs merge it into their schedule's optim_wrapper.
layer_decay_optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.65,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            '.pos_embed': dict(decay_mult=0.0),
            '.cls_token': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0)
        }))
