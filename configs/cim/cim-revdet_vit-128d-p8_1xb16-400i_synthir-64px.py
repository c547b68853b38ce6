# CIM RevDet on SynthIR, for CPU: the ResPix demo with one logit per patch
# token of the 128-d demo ViT (replaced or not), binary cross-entropy over
# all 64 positions.
#   python tools/train.py \
#       configs/cim/cim-revdet_vit-128d-p8_1xb16-400i_synthir-64px.py \
#       --work-dir work_dirs/demo/cim-revdet
_base_ = ['./cim-respix_vit-128d-p8_1xb16-400i_synthir-64px.py']
model = dict(
    objective='revdet',
    head=dict(
        _delete_=True,
        type='mmir.RevDetHead',
        in_channels={{_base_.embed_dims}},
        input_type='tokens',
        loss=dict(type='mmir.RevDetLoss')))
