# UNIP-T: ViT-T/16 student (192-d, 3 heads; 16 in the last block), MAE-L
# teacher at layer 18, InfMix, 4096 images per update.
_base_ = ['./unip-s_infmix.py']
model = dict(backbone=dict(arch='deit-tiny'))
