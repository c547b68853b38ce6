# CIM ResPix with a ViT-B/16 enhancer on ImageNet-1K, 300 epochs (paper:
# 83.3 top-1 after fine-tuning, objective of that number not stated), with
# the DALL-E tokenizer converted from OpenAI's encoder.pkl / decoder.pkl:
#   python tools/model_converters/dalle_to_mmir.py \
#       --encoder encoder.pkl --decoder decoder.pkl \
#       checkpoints/dalle_dvae_mmir.pth
#   tools/dist_train.sh \
#       configs/cim/cim-respix_vit-base-p16_8xb256-amp-coslr-300e_in1k.py 8
_base_ = [
    './_base_/cim_vit-base-p16.py', './_base_/imagenet_two-view.py',
    '../_base_/pretrain_runtime.py', './_base_/schedule_adamw-coslr-300e.py'
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
# Every module takes part in every step (the tokenizer is frozen).
find_unused_parameters = False
