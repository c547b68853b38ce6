# iTPN-B fine-tuning on ADE20K (the authors'
# pixel_upernet_itpn_base_12_512_slide_160k_ade20k; paper Table 2: 53.5
# mIoU from the 1600-epoch pixel model): UPerNet on the backbone and its
# pre-trained pyramid, 512x512 crops, 8 GPUs x 2 images, 160k iterations,
# AdamW lr 3e-5 (0.9, 0.999), weight decay 0.05, layer decay 0.90, linear
# warm-up for 1500 iterations then poly (power 1) to 0, AMP; slide test
# with 512 crops and stride 341. Set the pre-training checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    './_base_/upernet_itpn-hivit-base-p16.py',
    'mmseg::_base_/datasets/ade20k.py', '../../../_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py'
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(341, 341)))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(
        _delete_=True,
        type='AdamW',
        lr=3e-5,
        betas=(0.9, 0.999),
        weight_decay=0.05),
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg={{_base_.layer_decay_optim_wrapper.paramwise_cfg}})
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
        end=1500),
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=False,
        begin=1500,
        end=160000),
]
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
