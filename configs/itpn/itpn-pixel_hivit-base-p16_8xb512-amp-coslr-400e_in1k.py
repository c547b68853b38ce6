# iTPN-B pixel pre-training on ImageNet-1K, 400 epochs (paper Table 1:
# 85.1 top-1 after fine-tuning): the authors' itpn_pixel recipe, 4096
# images per update (the authors' 64 GPUs x 64, written 8 x 512 as
# mmpretrain does), RandomResizedCrop 224 scale (0.2, 1) bicubic + flip,
# ImageNet mean / std.
#   tools/dist_train.sh \
#       configs/itpn/itpn-pixel_hivit-base-p16_8xb512-amp-coslr-400e_in1k.py 8
_base_ = [
    './_base_/itpn-pixel_hivit-base-p16.py',
    'mmpretrain::_base_/datasets/imagenet_bs512_mae.py',
    '../_base_/pretrain_runtime.py', './_base_/schedule_adamw-coslr-400e.py'
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=50, max_keep_ckpts=2))
