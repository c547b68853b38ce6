# UNIP-S linear probing on SCUT-SEG: frozen backbone, blocks 4/6/8/12
# concatenated, one 1x1 conv; 2 GPUs x 4 images, 16800 iterations.
# Set the NMI-HAD checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/linear_vit-small-p16.py', '../../../_base_/datasets/scut_seg.py',
    '../../../_base_/default_runtime.py', './_base_/schedule_poly-warmup.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    decode_head=dict(num_classes=10),
    test_cfg={{_base_.slide_test_cfg}})
max_iters = 16800
warmup_iters = 1700
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-6,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=800)
default_hooks = dict(checkpoint=dict(interval=8400))
