# VP (Bahng et al. 2022) on EuroSAT: frozen CLIP ViT-B/32, a 5 px padding
# prompt on every image (AdaViPro's baseline: no mask generator).
_base_ = [
    './_base_/adavipro_clip-vit-base-p32.py',
    './_base_/datasets/eurosat.py',
    './_base_/schedule_sgd-coslr-1000e.py'
]
model = dict(
    class_names={{_base_.class_names}},
    prompter=dict(prompt_size=5),
    mask_generator=None)
# no mask generator: no temperature to decay
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
