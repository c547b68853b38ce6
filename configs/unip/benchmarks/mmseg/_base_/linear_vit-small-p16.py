# UNIP linear probing model: the frozen ViT-S/16 student, raw outputs (no
# norm) of blocks 4, 6, 8 and 12 concatenated at stride 16, one 1x1 conv.
_base_ = ['mmseg::_base_/models/fcn_r50-d8.py']
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmir.AttnViT',
        arch='deit-small',
        img_size=512,
        patch_size=16,
        out_indices=(3, 5, 7, 11),
        out_type='featmap',
        final_norm=False,
        frozen_stages=12,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/unip-s_infmix/epoch_100.pth',
            prefix='backbone.')),
    decode_head=dict(
        in_channels=[384] * 4,
        in_index=[0, 1, 2, 3],
        input_transform='resize_concat',
        channels=384 * 4,
        num_convs=0,
        concat_input=False,
        dropout_ratio=0.0),
    auxiliary_head=None)
