# CIFAR-10 for CLIP (mmpretrain's CIFAR10 (images in memory: no loading
# step)); the preprocessing of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/cifar10/'
class_names = 'CIFAR10'
pipeline = [
    dict(type='ResizeEdge', scale=224, edge='short', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        type='CIFAR10',
        data_root=data_root,
        split='train',
        pipeline=pipeline))
val_dataloader = dict(
    dataset=dict(
        type='CIFAR10',
        data_root=data_root,
        split='test',
        pipeline=pipeline))
test_dataloader = val_dataloader
