# Copyright (c) mmir contributors. All rights reserved.
"""The transfer benchmark's splits: disjoint, nested, deterministic."""
import hashlib
import os
import os.path as osp

import pytest

from mmir.datasets.synthir.transfer import (SODA_DIR, TransferProtocol,
                                            make_transfer_data, split_stems)

SMALL = TransferProtocol(
    pool_images=6, train=8, val=4, test=5, budgets=(2, 8), height=32,
    width=48)


def tree_digest(root: str) -> str:
    digest = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith('_counts.json'):  # names its own folder
                continue
            path = osp.join(folder, name)
            digest.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as file:
                digest.update(file.read())
    return digest.hexdigest()


def test_splits_are_disjoint_nested_and_cover_the_labelled_frames():
    splits = split_stems(TransferProtocol())
    train, val, test = (set(splits[k]) for k in ('train_64', 'val', 'test'))
    assert len(train) == 64 and len(val) == 64 and len(test) == 256
    assert not (train & val or train & test or val & test)
    assert train | val | test == {f'{i:05d}' for i in range(384)}
    assert splits['train_16'] == splits['train_64'][:16]


def test_a_budget_subset_does_not_change_the_splits():
    full = split_stems(TransferProtocol(budgets=(16, 64)))
    demo = split_stems(TransferProtocol(budgets=(16, )))
    assert demo['train_16'] == full['train_16']
    assert demo['test'] == full['test']


def test_protocol_is_checked():
    with pytest.raises(ValueError, match='different seeds'):
        TransferProtocol(pool_seed=1, labelled_seed=1)
    with pytest.raises(ValueError, match='budgets'):
        TransferProtocol(budgets=(128, ))


def test_data_is_deterministic_and_lists_match_the_splits(tmp_path):
    info = make_transfer_data(str(tmp_path / 'a'), SMALL)
    make_transfer_data(str(tmp_path / 'b'), SMALL)
    assert tree_digest(str(tmp_path / 'a')) == tree_digest(
        str(tmp_path / 'b'))
    assert info['splits'] == {'train_2': 2, 'train_8': 8, 'val': 4,
                              'test': 5}
    for name, stems in split_stems(SMALL).items():
        with open(osp.join(info['labelled'], f'{name}.txt')) as file:
            assert file.read().split() == stems
    with open(osp.join(info['pool'], 'lists', 'infmix_synthir.txt')) as f:
        assert len(f.read().split('\n')) - 1 == SMALL.pool_images
    images = osp.join(tmp_path, 'a', 'labelled', SODA_DIR, 'JPEGImages')
    assert len(os.listdir(images)) == 17
