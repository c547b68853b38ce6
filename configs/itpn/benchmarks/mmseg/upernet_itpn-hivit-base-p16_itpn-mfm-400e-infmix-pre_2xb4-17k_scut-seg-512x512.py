# iTPN-B fine-tuning on SCUT-Seg: UPerNet on the backbone and its
# pre-trained pyramid (no neck), with the infrared benchmark protocol of
# UNIP and PAD (pipelines, infrared mean / std, 2 GPUs x 4 images,
# 16800 iterations (100 epochs), AdamW 1e-4, linear warm-up then poly, AMP,
# slide test) and the authors' layer decay 0.90 over the 30 blocks.
# Pre-trained by default with pixel + MFM on InfMix; set another iTPN
# checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/upernet_itpn-hivit-base-p16.py',
    '../../../_base_/datasets/scut_seg.py',
    '../../../_base_/default_runtime.py',
    '../../../_base_/schedules/seg_poly-warmup-17k_scut-seg.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    backbone=dict(
        init_cfg=dict(
            checkpoint='work_dirs/itpn-mfm_hivit-base-p16_8xb256-amp-'
            'coslr-400e_infmix/epoch_400.pth')),
    decode_head=dict(num_classes=10),
    auxiliary_head=dict(num_classes=10),
    test_cfg={{_base_.slide_test_cfg}})
optim_wrapper = {{_base_.layer_decay_optim_wrapper}}
