# Copyright (c) mmir contributors. All rights reserved.
"""The converters turn tiny fake download trees into mmir's layouts and
name every bad file."""
import importlib.util
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from mmir.datasets import DatasetError
from mmir.datasets.converters import flir, mfnet, scut_seg, soda
from ..conftest import REPO

SIZE = 16


def label_map(seed, num_classes):
    """A 16x16 id map holding every class and the ignore value."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, num_classes, (SIZE, SIZE)).astype(np.uint8)
    label.reshape(-1)[:num_classes] = np.arange(num_classes)
    label[-1, -1] = 255
    return label


def gray(seed):
    return np.random.default_rng(seed).integers(0, 256, (SIZE, SIZE),
                                                np.uint8)


def write_split(path, stems):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(f'{stem}\n' for stem in stems))


def imwrite(path, image):
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, image)


def fake_soda(root, splits=(('train', 'a b'), ('test', 'c'))):
    """labelme2voc layout with palette (P-mode) PNG labels."""
    base = osp.join(root, 'InfraredSemanticLabel')
    palette = np.random.default_rng(0).integers(0, 256, 768).tolist()
    for i, stem in enumerate('abc'):
        imwrite(osp.join(base, 'JPEGImages', stem + '.jpg'), gray(i))
        label = Image.fromarray(label_map(i, 21), 'P')
        label.putpalette(palette)
        os.makedirs(osp.join(base, 'SegmentationClassPNG'), exist_ok=True)
        label.save(osp.join(base, 'SegmentationClassPNG', stem + '.png'))
    for split, stems in splits:
        write_split(osp.join(base, f'{split}_infrared.txt'), stems.split())
    return base


def fake_mfnet(root, num=5):
    """4-channel PNGs (B, G, R, thermal): image i has thermal gray(i + 3)."""
    for i in range(num):
        stem = f'{i:05d}D'
        bgra = np.stack([gray(i), gray(i + 1), gray(i + 2), gray(i + 3)], -1)
        imwrite(osp.join(root, 'images', stem + '.png'), bgra)
        imwrite(osp.join(root, 'labels', stem + '.png'), label_map(i, 9))
    stems = [f'{i:05d}D' for i in range(num)]
    for split, members in (('train', stems[:3]), ('val', stems[3:4]),
                           ('test', stems[4:])):
        write_split(osp.join(root, f'{split}.txt'), members)
    return stems


def fake_scut(root, num=4):
    stems = [f'img{i}' for i in range(num)]
    for i, stem in enumerate(stems):
        imwrite(osp.join(root, 'images', stem + '.jpg'), gray(i))
        imwrite(osp.join(root, 'labels', stem + '.png'), label_map(i, 10))
    write_split(osp.join(root, 'train.txt'), stems[:-1])
    write_split(osp.join(root, 'val.txt'), stems[-1:])
    return stems


def read(path):
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


def test_soda_palette_labels_become_ids(tmp_path):
    fake_soda(str(tmp_path / 'raw'))
    dst = str(tmp_path / 'soda')
    summary = soda.convert(str(tmp_path / 'raw'), dst, link='symlink')
    out = osp.join(dst, 'InfraredSemanticLabel')
    assert summary['splits'] == {
        'train_infrared.txt': 2, 'test_infrared.txt': 1}
    assert summary['unlisted'] == 0
    assert open(osp.join(out, 'train_infrared.txt')).read() == 'a\nb\n'
    label = read(osp.join(out, 'SegmentationClassPNG', 'b.png'))
    assert label.ndim == 2 and np.array_equal(label, label_map(1, 21))
    image = osp.join(out, 'JPEGImages', 'c.jpg')
    assert osp.islink(image) and np.array_equal(read(image).shape, (16, 16))


def test_mfnet_keeps_thermal_channel(tmp_path):
    stems = fake_mfnet(str(tmp_path / 'raw'))
    dst = tmp_path / 'mfnet'
    summary = mfnet.convert(str(tmp_path / 'raw'), str(dst))
    assert summary['splits'] == {
        'train.txt': 3, 'val.txt': 1, 'test.txt': 1, 'val_test.txt': 2}
    assert (dst / 'val_test.txt').read_text().split() == stems[3:]
    thermal = read(dst / 'thermal_imgs' / f'{stems[2]}.png')
    assert thermal.shape == (16, 16)
    assert np.array_equal(thermal, gray(2 + 3))
    assert np.array_equal(
        read(dst / 'labels' / f'{stems[0]}.png'), label_map(0, 9))


def test_scut_seg_copies_images(tmp_path):
    stems = fake_scut(str(tmp_path / 'raw'))
    os.remove(tmp_path / 'raw' / 'labels' / 'img0.png')
    write_split(str(tmp_path / 'raw' / 'train.txt'), stems[1:-1])
    summary = scut_seg.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))
    assert summary['splits'] == {'train.txt': 2, 'val.txt': 1}
    assert summary['unlisted'] == 1
    copied = tmp_path / 'out' / 'images' / 'img3.jpg'
    assert not osp.islink(copied)
    assert copied.read_bytes() == (
        tmp_path / 'raw' / 'images' / 'img3.jpg').read_bytes()
    assert not (tmp_path / 'out' / 'images' / 'img0.jpg').exists()


def test_label_out_of_range_is_named(tmp_path):
    stems = fake_mfnet(str(tmp_path / 'raw'))
    bad = tmp_path / 'raw' / 'labels' / f'{stems[1]}.png'
    label = label_map(1, 9)
    label[5, 5] = 37
    imwrite(str(bad), label)
    with pytest.raises(DatasetError) as err:
        mfnet.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))
    assert f'{bad}: label values 37 >= 9 classes' in str(err.value)
    assert '1 problem:' in str(err.value)
    assert not (tmp_path / 'out' / 'train.txt').exists()


def test_three_channel_mfnet_image_is_named(tmp_path):
    stems = fake_mfnet(str(tmp_path / 'raw'))
    bad = tmp_path / 'raw' / 'images' / f'{stems[4]}.png'
    imwrite(str(bad), np.stack([gray(0)] * 3, -1))
    with pytest.raises(DatasetError,
                       match=f'{bad}: 3 channels, expected 4'):
        mfnet.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))


def test_missing_label_is_named(tmp_path):
    base = fake_soda(str(tmp_path / 'raw'))
    missing = osp.join(base, 'SegmentationClassPNG', 'c.png')
    os.remove(missing)
    with pytest.raises(DatasetError, match=f'{missing}: missing'):
        soda.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))


def test_many_problems_listed_once(tmp_path):
    raw = tmp_path / 'raw'
    fake_scut(str(raw))
    stems = [f'lost{i:02d}' for i in range(25)]
    write_split(str(raw / 'train.txt'), stems)
    imwrite(str(raw / 'labels' / 'img3.png'), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetError) as err:
        scut_seg.convert(str(raw), str(tmp_path / 'out'))
    message = str(err.value)
    # 25 missing images, 25 missing labels, 1 RGB label.
    assert '51 problems:' in message and '... and 31 more' in message
    assert f'{raw / "images" / "lost00.jpg"}: missing' in message


def test_bad_splits_and_sizes_are_named(tmp_path):
    base = fake_soda(
        str(tmp_path / 'raw'), splits=(('train', 'a b'), ('test', 'b c')))
    imwrite(osp.join(base, 'JPEGImages', 'a.jpg'), np.zeros((8, 8), np.uint8))
    with open(osp.join(base, 'JPEGImages', 'c.jpg'), 'wb') as f:
        f.write(b'not a jpeg')
    with pytest.raises(DatasetError) as err:
        soda.convert(base, str(tmp_path / 'out'))
    message = str(err.value)
    assert 'test_infrared.txt: b is also listed in the train split' in message
    assert 'JPEGImages/a.jpg: size (8, 8) differs from its label' in message
    assert 'JPEGImages/c.jpg: cannot be read as an image' in message


def fake_flir(root, version):
    """Two splits of two 16x16 images; v1 ids start at 0 like FLIR's."""
    names = {'v1': ('person', 'bicycle', 'car', 'dog'),
             'v2': ('person', 'bike', 'car', 'dog')}[version]
    categories = [
        dict(id=cid, name=name) for cid, name in zip((1, 2, 3, 17), names)
    ]
    for split in ('train', 'val'):
        if version == 'v1':
            folder, sub, ann = osp.join(root, split), 'thermal_8_bit', \
                'thermal_annotations.json'
        else:
            folder, sub, ann = osp.join(root, f'images_thermal_{split}'), \
                'data', 'coco.json'
        images = []
        for i in range(2):
            name = f'{sub}/FLIR_{split}_{i}.jpeg'
            imwrite(osp.join(folder, name), gray(i))
            images.append(dict(id=i, file_name=name, width=16, height=16))
        annotations = [
            dict(id=0, image_id=0, category_id=2, bbox=[1, 1, 4, 5]),
            dict(id=1, image_id=0, category_id=17, bbox=[2, 2, 3, 3]),
            dict(id=2, image_id=1, category_id=17, bbox=[2, 2, 3, 3]),
        ]
        with open(osp.join(folder, ann), 'w') as f:
            json.dump(
                dict(
                    images=images,
                    annotations=annotations,
                    categories=categories), f)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_flir_to_coco(tmp_path, version):
    fake_flir(str(tmp_path / 'raw'), version)
    dst = tmp_path / 'flir'
    summary = flir.convert(str(tmp_path / 'raw'), str(dst))
    assert summary['version'] == version
    assert summary['val'] == dict(
        images=2, boxes=1, boxes_dropped=2, images_without_boxes=1)
    coco = json.loads((dst / 'annotations/instances_val.json').read_text())
    assert [(c['id'], c['name']) for c in coco['categories']] == [
        (1, 'person'), (2, 'bicycle'), (3, 'car')]
    assert [img['file_name'] for img in coco['images']] == [
        'val/FLIR_val_0.jpeg', 'val/FLIR_val_1.jpeg']
    assert coco['annotations'] == [
        dict(id=1, image_id=0, category_id=2, bbox=[1, 1, 4, 5], area=20,
             iscrowd=0)]
    assert np.array_equal(read(dst / 'train' / 'FLIR_train_1.jpeg').shape,
                          (16, 16))


def test_flir_problems_are_named(tmp_path):
    raw = tmp_path / 'raw'
    with pytest.raises(DatasetError, match='thermal_annotations.json'):
        flir.convert(str(raw), str(tmp_path / 'out'))
    fake_flir(str(raw), 'v2')
    missing = raw / 'images_thermal_val' / 'data' / 'FLIR_val_1.jpeg'
    os.remove(missing)
    ann = raw / 'images_thermal_train' / 'coco.json'
    coco = json.loads(ann.read_text())
    coco['categories'] = coco['categories'][:2]
    ann.write_text(json.dumps(coco))
    with pytest.raises(DatasetError) as err:
        flir.convert(str(raw), str(tmp_path / 'out'))
    assert f"{ann}: no category named 'car'" in str(err.value)
    assert f'{missing}: missing' in str(err.value)
    assert not (tmp_path / 'out' / 'annotations').exists()


def run_tool_main(name, args, monkeypatch):
    """Run ``tools/dataset_converters/<name>.py`` in this process."""
    path = osp.join(REPO, 'tools', 'dataset_converters', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', [path, *args])
    module.main()


@pytest.mark.parametrize('name', ['soda', 'mfnet', 'scut_seg', 'flir'])
def test_tool_help(name, monkeypatch, capsys):
    with pytest.raises(SystemExit) as err:
        run_tool_main(name, ['--help'], monkeypatch)
    assert err.value.code == 0
    assert 'src' in capsys.readouterr().out


def test_tool_prints_summary_or_problems(tmp_path, monkeypatch, capsys):
    fake_mfnet(str(tmp_path / 'raw'))
    run_tool_main('mfnet', [str(tmp_path / 'raw'), str(tmp_path / 'out')],
                  monkeypatch)
    assert json.loads(capsys.readouterr().out)['splits'] == {
        'train.txt': 3, 'val.txt': 1, 'test.txt': 1, 'val_test.txt': 2}
    os.remove(tmp_path / 'raw' / 'labels' / '00000D.png')
    with pytest.raises(SystemExit) as err:
        run_tool_main('mfnet', [str(tmp_path / 'raw'), str(tmp_path / 'o')],
                      monkeypatch)
    assert f'{tmp_path}/raw/labels/00000D.png: missing' in err.value.code
