# Copyright (c) mmir contributors. All rights reserved.
"""Fake raw download trees and in-process runs of the converter tools."""
import importlib.util
import os
import os.path as osp
import sys

import cv2
import numpy as np
from PIL import Image

from ...conftest import REPO

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


def run_tool_main(name, args, monkeypatch):
    """Run ``tools/dataset_converters/<name>.py`` in this process."""
    path = osp.join(REPO, 'tools', 'dataset_converters', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', [path, *args])
    module.main()


def image(path: str, value: int = 128) -> str:
    """Write an 8x8 grey image of constant ``value``; return its path."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, np.full((8, 8), value, np.uint8))
    return path


def read_list(path: str) -> list:
    """The ``(tag, path)`` pairs of a list file."""
    with open(path) as f:
        return [tuple(line.split()) for line in f]


def run_main(tool: str, args: list, monkeypatch, capsys) -> str:
    """Run ``tools/dataset_converters/<tool>.py`` in-process; its stdout."""
    run_tool_main(tool, args, monkeypatch)
    return capsys.readouterr().out
