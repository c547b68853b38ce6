# UCF101 for CLIP (mmpretrain's CustomDataset (not shipped by mmpretrain) of
# the middle frame of every video (CoOp's UCF-101-midframes):
# `data/ucf101_midframes/{train,test}/<class folder>/<frame>.jpg` and
# `classnames.txt`, readable names in the sorted order of the class folders
# ('apply eye makeup', ...)); the preprocessing of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/ucf101_midframes/'
class_names = 'data/ucf101_midframes/classnames.txt'
train_dataloader = dict(
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        data_prefix='train'))
val_dataloader = dict(
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        data_prefix='test'))
test_dataloader = val_dataloader
