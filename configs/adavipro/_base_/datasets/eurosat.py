# EuroSAT for CLIP (mmpretrain's CustomDataset (not shipped by mmpretrain):
# `data/eurosat/{train,test}/<class folder>/<image>.jpg` (e.g. CoOp's
# split_zhou_EuroSAT.json copied into folders) and `classnames.txt`, the
# readable names in the sorted order of the class folders ('annual crop
# land', 'forest', ...)); the preprocessing of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/eurosat/'
class_names = 'data/eurosat/classnames.txt'
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
