# PAD fine-tuning on MFNet-T (thermal images): UPerNet on the BEiT-style
# adapter ViT-B/16, layer decay 0.65, 2 GPUs x 4 images (the authors'
# configs). Set the PAD-MAE checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
# (convert the authors' files with tools/model_converters/pad_to_mmir.py).
_base_ = [
    './_base_/upernet_adapter-vit-base-p16.py',
    '../../../_base_/datasets/mfnet.py',
    '../../../_base_/default_runtime.py',
    '../../../_base_/schedules/seg_poly-warmup-10k_mfnet.py'
]
model = dict(
    data_preprocessor={{_base_.ir_data_preprocessor}},
    decode_head=dict(num_classes=9),
    auxiliary_head=dict(num_classes=9),
    test_cfg={{_base_.slide_test_cfg}})
optim_wrapper = {{_base_.layer_decay_optim_wrapper}}
