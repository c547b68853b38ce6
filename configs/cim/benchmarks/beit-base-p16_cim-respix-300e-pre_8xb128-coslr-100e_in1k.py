# ImageNet-1K fine-tuning of the CIM ViT-B/16 enhancer: BEiT's protocol
# (mmpretrain's beit-base-p16_8xb128-coslr-100e_in1k: AdamW lr 4e-3 for 1024
# images, layer decay 0.65, 100 epochs, RandAugment, mixup 0.8 / cutmix 1.0,
# label smoothing 0.1, drop path 0.1), on the pre-training's ImageNet
# statistics. The shared relative position bias of pre-training is copied
# into every block on load (mmpretrain's BEiTViT); the pre-training's final
# token norm is dropped (key map beit_finetune) and the pooled tokens get a
# new one (ln2), as in BEiT. Paper: 83.3 top-1.
#   tools/dist_train.sh configs/cim/benchmarks/\
#       beit-base-p16_cim-respix-300e-pre_8xb128-coslr-100e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = 'mmpretrain::beit/benchmarks/beit-base-p16_8xb128-coslr-100e_in1k.py'
custom_imports = dict(imports=['mmir'], allow_failed_imports=False)
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375])
model = dict(
    backbone=dict(
        type='mmir.BEiTViT',
        layer_scale_init_value=0.1,
        init_cfg=dict(
            _delete_=True,
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/'
            'cim-respix_vit-base-p16_8xb256-amp-coslr-300e_in1k/'
            'epoch_300.pth',
            prefix='backbone.',
            key_map='beit_finetune',
            allow_missing=[r'relative_position_index$', r'^ln2\.'])))
