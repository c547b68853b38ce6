# VP on the same frozen infrared classifier (step 2 without the mask
# generator): the 8 px padding prompt on every image.
#   python tools/train.py configs/adavipro/\
#   vp_vit-128d-p8-pad8_1xb32-300i_synthir-cls-64px.py \
#       --work-dir work_dirs/demo/adavipro-vp
_base_ = ['./adavipro_vit-128d-p8-pad8_1xb32-300i_synthir-cls-64px.py']
model = dict(mask_generator=None)
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
