# UNIP-S linear probing on SCUT-SEG: frozen backbone, blocks 4/6/8/12
# concatenated, one 1x1 conv; 2 GPUs x 4 images, 16800 iterations.
# Set the NMI-HAD checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/linear_vit-small-p16.py',
    '../../../_base_/datasets/scut_seg.py',
    '../../../_base_/default_runtime.py',
    '../../../_base_/schedules/seg_poly-warmup-17k_scut-seg.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    decode_head=dict(num_classes=10),
    test_cfg={{_base_.slide_test_cfg}})
