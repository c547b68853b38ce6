# Food-101 for CLIP (mmpretrain's Food101); the preprocessing of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/food-101/'
class_names = 'Food101'
train_dataloader = dict(
    dataset=dict(type='Food101', data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type='Food101', data_root=data_root, split='test'))
test_dataloader = val_dataloader
