# Oxford-IIIT Pets for CLIP (mmpretrain's OxfordIIITPet); the preprocessing
# of clip-224.py.
_base_ = ['./clip-224.py']
data_root = 'data/Oxford-IIIT_Pets/'
class_names = 'OxfordIIITPet'
train_dataloader = dict(
    dataset=dict(type='OxfordIIITPet', data_root=data_root, split='trainval'))
val_dataloader = dict(
    dataset=dict(type='OxfordIIITPet', data_root=data_root, split='test'))
test_dataloader = val_dataloader
