# Segmentation with the CIM ViT-B/16 enhancer: mmpretrain's BEiTViT (the
# pre-training's class, so every key loads; mmir.BEiTViT applies the
# checkpoint after its own initialisation) at 512 px with a relative
# position bias per block (the shared table of pre-training is copied into
# each on load; the index buffers are constants), layer scale, drop path
# 0.1, no final norm (key map beit_finetune drops the pre-training's);
# blocks 4, 6, 8 and 12 -> Feature2Pyramid (x4 deconv, x2 deconv,
# identity, max-pool) -> UPerNet with 768 channels and an auxiliary FCN
# head on the third level (BEiT's ADE20K recipe, as PAD's and UNIP's
# benchmarks).
_base_ = ['mmseg::_base_/models/upernet_mae.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmir.BEiTViT',
        arch='base',
        img_size=512,
        patch_size=16,
        out_indices=(3, 5, 7, 11),
        out_type='featmap',
        final_norm=False,
        layer_scale_init_value=0.1,
        use_abs_pos_emb=False,
        use_rel_pos_bias=True,
        use_shared_rel_pos_bias=False,
        drop_path_rate=0.1,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/'
            'cim-respix_vit-base-p16_8xb256-amp-coslr-300e_infmix/'
            'epoch_300.pth',
            prefix='backbone.',
            key_map='beit_finetune',
            allow_missing=[r'relative_position_index$'])),
    neck=dict(embed_dim=768, rescales=[4, 2, 1, 0.5], norm_cfg=norm_cfg),
    decode_head=dict(in_channels=[768] * 4, channels=768),
    auxiliary_head=dict(in_channels=768, in_index=2))
# BEiT-style fine-tuning: layer decay 0.65 over the 12 blocks, no weight
# decay on biases, norms, 1-D parameters, the CLS token and the relative
# position tables. Fine-tuning configs merge it into their schedule's.
layer_decay_optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.65,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            '.cls_token': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0)
        }))
