# UNIP fine-tuning model: ViT-S/16 student with layer scale (init 1.0),
# LL-FPN (the last block's map, no final norm, at strides 4-32), UPerNet
# with channels = embed dims, and an auxiliary FCN head on the stride-16
# level. The backbone loads the `backbone.` weights of an NMI-HAD
# checkpoint strictly; only the layer scales are new.
_base_ = ['mmseg::_base_/models/upernet_vit-b16_ln_mln.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmir.AttnViT',
        arch='deit-small',
        img_size=512,
        patch_size=16,
        out_indices=(11, ),
        out_type='featmap',
        final_norm=False,
        layer_scale_init_value=1.0,
        drop_path_rate=0.1,
        # Released UNIP weights regroup the last block's 16 distilled heads
        # into 6 at fine-tuning; set last_heads=16 to keep the grouping.
        last_heads=None,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/unip-s_infmix/epoch_100.pth',
            prefix='backbone.',
            allow_missing=[r'gamma[12]\.weight$'])),
    neck=dict(
        _delete_=True, type='mmir.LLFPN', embed_dim=384, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=[384] * 4, channels=384),
    auxiliary_head=dict(in_channels=384, in_index=2))
find_unused_parameters = True
