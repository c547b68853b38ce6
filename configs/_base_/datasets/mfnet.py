# MFNet-T: the thermal channel of MFNet (9 classes incl. _background_),
# read by mmir.MFNetDataset. Prepare it with
# tools/dataset_converters/mfnet.py. As the UNIP / PAD authors do, validate
# on val_test.txt (val + test) and test on test.txt.
_base_ = ['./infrared_seg.py']
dataset_type = 'mmir.MFNetDataset'
data_root = 'data/mfnet'
data_prefix = dict(img_path='thermal_imgs', seg_map_path='labels')
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='train.txt'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='val_test.txt'))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='test.txt'))
