# UNIP-S distilled from layer 21 of iBOT-L. The official iBOT file keeps
# the weights under `teacher` with a `backbone.` prefix (and a head that is
# dropped); timm names.
_base_ = ['./unip-s_infmix.py']
model = dict(
    teacher_layer=21,
    teacher_checkpoint='checkpoints/ibot_vitl16_checkpoint_teacher.pth',
    teacher_prefix='backbone.')
