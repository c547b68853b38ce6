# CIM RevDet with a ViT-B/16 enhancer on ImageNet-1K, 300 epochs: one logit
# per patch token (replaced by a generator sample or not; a sample equal to
# the original token counts as not replaced), binary cross-entropy over all
# 196 positions. Everything else as the ResPix config.
#   tools/dist_train.sh \
#       configs/cim/cim-revdet_vit-base-p16_8xb256-amp-coslr-300e_in1k.py 8
_base_ = ['./cim-respix_vit-base-p16_8xb256-amp-coslr-300e_in1k.py']
model = dict(
    objective='revdet',
    head=dict(
        _delete_=True,
        type='mmir.RevDetHead',
        in_channels=768,
        input_type='tokens',
        loss=dict(type='mmir.RevDetLoss')))
