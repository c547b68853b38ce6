# SCUT-Seg nighttime thermal driving scenes (10 classes incl. background),
# read by mmir.SCUTSegDataset. Prepare it with
# tools/dataset_converters/scut_seg.py. val.txt serves as val and test.
_base_ = ['./infrared_seg.py']
dataset_type = 'mmir.SCUTSegDataset'
data_root = 'data/scut_seg'
data_prefix = dict(img_path='images', seg_map_path='labels')
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
        ann_file='val.txt'))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='val.txt'))
