# CIFAR-100 for CLIP (mmpretrain's CIFAR100 (images in memory: no loading
# step)); the preprocessing of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/cifar100/'
class_names = 'CIFAR100'
pipeline = [
    dict(type='ResizeEdge', scale=224, edge='short', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        type='CIFAR100',
        data_root=data_root,
        split='train',
        pipeline=pipeline))
val_dataloader = dict(
    dataset=dict(
        type='CIFAR100',
        data_root=data_root,
        split='test',
        pipeline=pipeline))
test_dataloader = val_dataloader
