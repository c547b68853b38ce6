# Flowers102 for CLIP (mmpretrain's Flowers102; its labels carry no names, so
# `classnames.txt` (the 102 names in label order, one per line, e.g. from
# CoOp's cat_to_name.json) sits beside the data); the preprocessing of
# clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/flowers102/'
class_names = 'data/flowers102/classnames.txt'
train_dataloader = dict(
    dataset=dict(type='Flowers102', data_root=data_root, split='trainval'))
val_dataloader = dict(
    dataset=dict(type='Flowers102', data_root=data_root, split='test'))
test_dataloader = val_dataloader
