# SUN397 for CLIP (mmpretrain's SUN397 (its split files)); the preprocessing
# of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/SUN397/'
class_names = 'SUN397'
train_dataloader = dict(
    dataset=dict(type='SUN397', data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type='SUN397', data_root=data_root, split='test'))
test_dataloader = val_dataloader
