# UNIP-S linear probing on SODA: frozen backbone, blocks 4/6/8/12
# concatenated, one 1x1 conv; 2 GPUs x 4 images, 14400 iterations.
# Set the NMI-HAD checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/linear_vit-small-p16.py',
    '../../../_base_/datasets/soda.py',
    '../../../_base_/default_runtime.py',
    '../../../_base_/schedules/seg_poly-warmup-14k_soda.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    decode_head=dict(num_classes=21),
    test_cfg={{_base_.slide_test_cfg}})
