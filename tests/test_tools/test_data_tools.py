# Copyright (c) mmir contributors. All rights reserved.
"""Smoke tests of the RoI, browse and data-pipeline benchmark tools."""
import os
import os.path as osp
import shutil

import cv2
from mmengine.config import Config

from mmir.registry import DATASETS

from ..conftest import REPO, run_tool

SODA_CONFIG = osp.join(REPO, 'configs/_base_/datasets/synthir_soda.py')
MSIP_CONFIG = osp.join(REPO, 'configs/_base_/datasets/msip_synthir.py')


def test_generate_rois_cli(synthir_root, tmp_path):
    thermal = tmp_path / 'subset' / 'thermal'
    thermal.mkdir(parents=True)
    for stem in ('00000', '00001', '00002'):
        shutil.copy(
            osp.join(synthir_root, 'radiometric', stem + '.png'), thermal)
    out = run_tool([
        'tools/dataset_converters/generate_rois.py',
        str(thermal), '--workers', '2'
    ])
    assert '"images": 3' in out.stdout
    assert sorted(os.listdir(tmp_path / 'subset' / 'roi')) == [
        '00000.txt', '00001.txt', '00002.txt'
    ]


def test_generate_rois_for_the_samples_of_a_config(synthir_root):
    shutil.rmtree(osp.join(synthir_root, 'roi'), ignore_errors=True)
    run_tool(['tools/dataset_converters/msip.py', synthir_root, '--synthir'])
    out = run_tool([
        'tools/dataset_converters/generate_rois.py', '--config',
        MSIP_CONFIG, '--data-root', synthir_root, '--workers', '0'
    ])
    assert '"images": 30' in out.stdout
    cfg = Config.fromfile(MSIP_CONFIG).train_dataloader.dataset
    cfg.update(data_root=synthir_root, pipeline=[])
    dataset = DATASETS.build(cfg)
    rois = [dataset[i]['rois'] for i in range(len(dataset))]
    assert len(rois) == 30 and sum(len(r) for r in rois) > 0


def test_browse_dataset_writes_a_grid(synthir_root, tmp_path):
    root = osp.join(synthir_root, 'soda/InfraredSemanticLabel')
    config = tmp_path / 'roi_crop.py'
    config.write_text(
        f'_base_ = [{SODA_CONFIG!r}]\n'
        'train_dataloader = dict(dataset=dict(pipeline=[\n'
        "    dict(type='mmir.LoadInfraredImage'),\n"
        "    dict(type='mmir.RandomRoICrop', scale=32),\n"
        "    dict(type='PackSegInputs')]))\n")
    for cfg, num in ((SODA_CONFIG, 3), (str(config), 2)):
        out_dir = tmp_path / ('out_' + osp.basename(cfg))
        out = run_tool([
            'tools/analysis_tools/browse_dataset.py', cfg, '--output-dir',
            str(out_dir), '--num',
            str(num), '--cfg-options',
            f'train_dataloader.dataset.data_root={root}'
        ])
        assert f'{num} samples drawn' in out.stdout
        grid = cv2.imread(str(out_dir / 'train_grid.png'))
        assert grid.shape[0] == num * (192 + 4) and grid.shape[2] == 3


def test_data_pipeline_benchmark_runs():
    out = run_tool([
        'tools/benchmarks/data_pipeline.py', '--num-images', '4',
        '--height', '64', '--width', '80', '--crop-size', '32',
        '--repeats', '1'
    ])
    assert out.stdout.count('images/s') == 2
    for name in ('RandomRoICrop', 'PackInputs', 'PhotoMetricDistortion'):
        assert f'  {name}' in out.stdout
