# UNIP-S fine-tuning on MFNET: UPerNet + LL-FPN, layer decay 0.85
# (the authors' scripts), 2 GPUs x 4 images, 9800 iterations (100 epochs).
# Set the NMI-HAD checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/upernet-llfpn_vit-small-p16.py',
    '../../../_base_/datasets/mfnet.py',
    '../../../_base_/default_runtime.py',
    '../../../_base_/schedules/seg_poly-warmup-10k_mfnet.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    decode_head=dict(num_classes=9),
    auxiliary_head=dict(num_classes=9),
    test_cfg={{_base_.slide_test_cfg}})
optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.85, bias_decay_mult=0.0, flat_decay_mult=0.0))
