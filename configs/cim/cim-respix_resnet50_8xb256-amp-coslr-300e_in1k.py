# CIM ResPix with a ResNet-50 enhancer on ImageNet-1K, 300 epochs (paper:
# 80.6 top-1 after fine-tuning). The CNN sees the whole corrupted image: no
# mask tokens, no sparse convolutions. Its four stages feed a light U-Net
# decoder (mmpretrain's SparK decoder behind 1 x 1 laterals, 512-d at
# stride 32, SyncBN) that predicts the 224 x 224 sliding-window-normalised
# original image.
#   tools/dist_train.sh \
#       configs/cim/cim-respix_resnet50_8xb256-amp-coslr-300e_in1k.py 8
_base_ = ['./cim-respix_vit-base-p16_8xb256-amp-coslr-300e_in1k.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ResNet',
        depth=50,
        out_indices=(0, 1, 2, 3),
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        _delete_=True,
        type='mmir.ResPixConvHead',
        in_channels=(256, 512, 1024, 2048),
        feature_dim=512,
        norm_cfg=dict(type='SyncBN'),
        loss=dict(type='mmir.ResPixLoss', window_size=9, criterion='L2')))
