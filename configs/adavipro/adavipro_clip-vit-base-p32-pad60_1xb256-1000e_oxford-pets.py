# AdaViPro on Oxford-IIIT Pets: frozen CLIP ViT-B/32, a 60 px padding prompt
# applied region by region (32 px regions, a 64-d mask generator).
_base_ = [
    './_base_/adavipro_clip-vit-base-p32.py',
    './_base_/datasets/oxford-pets.py',
    './_base_/schedule_sgd-coslr-1000e.py'
]
model = dict(
    class_names={{_base_.class_names}},
    prompter=dict(prompt_size=60))
