# iTPN-B pixel pre-training from scratch on MSIP (PAD's 178,756 infrared
# images from 8 sources) with its pipeline (border crop, PAD's random RoI
# crop to 224, flip) and the infrared statistics of UNIP and PAD (mean
# 0.3801, std 0.1871 on all three channels). The authors' pixel recipe for
# 400 epochs, their shortest (PAD's MAE-from-scratch baseline also runs
# 400), with 4096 images per update (8 GPUs x 256 x 2 accumulation steps,
# as UNIP and PAD).
#   tools/dist_train.sh \
#     configs/itpn/itpn-pixel_hivit-base-p16_8xb256-amp-coslr-400e_msip.py 8
_base_ = [
    './_base_/itpn-pixel_hivit-base-p16.py',
    '../_base_/datasets/msip.py', '../_base_/pretrain_runtime.py',
    './_base_/schedule_adamw-coslr-400e.py'
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})
optim_wrapper = dict(accumulative_counts=2)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=50, max_keep_ckpts=2))
