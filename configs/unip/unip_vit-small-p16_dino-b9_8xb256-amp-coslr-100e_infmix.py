# UNIP-S distilled from layer 9 of DINO-B (12 heads): the student's last
# block has 12 heads of 32 dims. The official DINO file is a bare
# state_dict with timm names.
_base_ = ['./unip-s_infmix.py']
model = dict(
    backbone=dict(last_heads=12),
    teacher=dict(arch='base'),
    teacher_layer=9,
    teacher_checkpoint='checkpoints/dino_vitbase16_pretrain.pth')
