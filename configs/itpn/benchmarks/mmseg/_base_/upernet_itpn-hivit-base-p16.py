# iTPN fine-tuning model for segmentation (the authors' seg/backbone/iTPN.py
# with UPerNet): HiViT-B and its pre-trained integral pyramid in one
# backbone (`out_type='seg'`), each pyramid level (256-d, after its C-MLP)
# concatenated with the backbone stage of the same stride, and stride 32 by
# 2x2 max pooling of stride 16: [384, 512, 768, 768] channels at strides
# 4-32 straight into UPerHead (768 channels, no neck), an auxiliary FCN
# head on stride 16. Drop path 0.1. The backbone, pyramid included, loads
# the `backbone.` weights of an iTPN pre-training checkpoint strictly.
# The position embedding stays the 14x14 table of pre-training (img_size
# 224) and is interpolated to the input grid at every forward, as the
# authors do; relative position bias is off (the authors turn it on with
# new tables at 512 px; in mmir that needs img_size=512, whose 32x32
# position table a 224-px checkpoint cannot fill: configs/itpn/README.md).
_base_ = ['mmseg::_base_/models/upernet_beit.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmir.iTPNHiViT',
        arch='base',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        ape=True,
        rpe=False,
        pyramid=dict(fpn_dim=256, fpn_depth=2),
        out_type='seg',
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/itpn-pixel_hivit-base-p16_8xb512-amp-'
            'coslr-1600e_in1k/epoch_1600.pth',
            prefix='backbone.')),
    neck=None,
    decode_head=dict(
        in_channels=[384, 512, 768, 768], channels=768, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=768, in_index=2, norm_cfg=norm_cfg))
# Layer-wise lr decay 0.90 over HiViT-B's 30 blocks (the patch embedding
# and position embedding at depth 0, block k at k + 1, the pyramid and the
# heads at lr), no weight decay on biases, 1-D parameters, the position
# embedding and relative position tables. Fine-tuning configs merge it
# into their schedule's optim_wrapper.
layer_decay_optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.90,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0)
        }))
