# CIM fine-tuning on SODA: UPerNet on the CIM ViT-B/16 enhancer pre-trained
# on InfMix, layer decay 0.65, 2 GPUs x 4 images, PAD's SODA schedule.
#   CFG=configs/cim/benchmarks/mmseg/\
#   upernet_beit-base-p16_cim-respix-300e-infmix-pre_2xb4-14k_soda-512x512.py
#   tools/dist_train.sh $CFG 2 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/upernet_beit-base-p16.py', '../../../_base_/datasets/soda.py',
    '../../../_base_/default_runtime.py',
    '../../../_base_/schedules/seg_poly-warmup-14k_soda.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21),
    test_cfg={{_base_.slide_test_cfg}})
optim_wrapper = {{_base_.layer_decay_optim_wrapper}}
