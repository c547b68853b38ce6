# DTD for CLIP (mmpretrain's DTD (the dataset's split 1: train + val, test));
# the preprocessing of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/dtd/'
class_names = 'DTD'
train_dataloader = dict(
    dataset=dict(type='DTD', data_root=data_root, split='trainval'))
val_dataloader = dict(
    dataset=dict(type='DTD', data_root=data_root, split='test'))
test_dataloader = val_dataloader
