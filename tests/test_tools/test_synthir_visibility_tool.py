# Copyright (c) mmir contributors. All rights reserved.
"""tools/analysis_tools/synthir_visibility.py prints and saves the numbers
of mmir.datasets.synthir.visibility and flags an invisible class."""
import glob
import json
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from mmir.datasets import SODA_CLASSES
from mmir.datasets.synthir import generate_synthir
from mmir.datasets.synthir.visibility import synthir_visibility
from ..conftest import run_tool

TOOL = 'tools/analysis_tools/synthir_visibility.py'
SODA = 'soda/InfraredSemanticLabel'


@pytest.fixture(scope='module')
def tree(tmp_path_factory) -> str:
    """A 20-image SynthIR tree at the default 96x128, SODA layout only."""
    root = str(tmp_path_factory.mktemp('synthir_tool'))
    generate_synthir(root, num_images=20, seed=1, layouts=['soda'])
    return root


def table_rows(stdout: str) -> dict:
    """Class name -> the cells of its row in the printed table."""
    rows = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        if line.startswith('| ') and cells[0] not in ('class', '---'):
            rows[cells[0]] = cells[1:]
    return rows


def camouflage(root: str, class_name: str) -> None:
    """Set each region of a class to the mean intensity of its ring."""
    kernel = np.ones((7, 7), np.uint8)
    class_id = SODA_CLASSES.index(class_name)
    for path in glob.glob(osp.join(root, SODA, 'SegmentationClassPNG', '*')):
        label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        image_path = path.replace('SegmentationClassPNG', 'JPEGImages')
        image_path = image_path[:-len('.png')] + '.jpg'
        image = cv2.imread(image_path, cv2.IMREAD_GRAYSCALE)
        count, regions = cv2.connectedComponents(
            (label == class_id).astype(np.uint8), connectivity=8)
        for index in range(1, count):
            region = regions == index
            ring = cv2.dilate(region.astype(np.uint8), kernel) > 0
            image[region] = np.rint(image[ring & ~region].mean())
        cv2.imwrite(image_path, image)


def test_table_and_json_agree_with_the_module(tree, tmp_path):
    out = tmp_path / 'report' / 'visibility.json'
    proc = run_tool([TOOL, tree, '--out', str(out), '--num-images', '15'])
    report = synthir_visibility(tree, num_images=15)
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    rows = table_rows(proc.stdout)
    assert list(rows) == list(report['classes'])
    for name, row in report['classes'].items():
        share, regions, median, low, verdict = rows[name]
        assert float(share) == pytest.approx(100 * row['pixel_share'],
                                             abs=0.005)
        assert int(regions) == row['regions']
        if row['regions']:
            assert float(median) == pytest.approx(
                row['median_contrast'], abs=0.05)
            assert float(low) == pytest.approx(
                100 * row['low_fraction'], abs=0.05)
            assert verdict == ('FLAGGED' if row['flagged'] else 'yes')
    assert rows['bicycle'][-1] == 'yes' and report['classes']['bicycle'][
        'regions'] > 5
    flagged = ', '.join(report['flagged']) or 'none'
    assert f'15 images of the soda layout; threshold: median contrast >= ' \
        f'15 levels; flagged: {flagged}' in proc.stdout


def test_a_camouflaged_class_is_flagged(tree, tmp_path):
    doctored = str(tmp_path / 'doctored')
    shutil.copytree(tree, doctored)
    camouflage(doctored, 'car')
    report = synthir_visibility(doctored, threshold=20)
    car = report['classes']['car']
    assert car['regions'] > 5 and car['median_contrast'] < 3
    assert car['low_fraction'] > 0.5
    assert 'car' in report['flagged'] and 'person' not in report['flagged']
    assert synthir_visibility(tree, threshold=20)['classes']['car'][
        'flagged'] is False
    out = tmp_path / 'doctored.json'
    proc = run_tool(
        [TOOL, doctored, '--out', str(out), '--threshold', '20'])
    rows = table_rows(proc.stdout)
    assert rows['car'][-1] == 'FLAGGED' and rows['person'][-1] == 'yes'
    assert float(rows['car'][2]) < 3
    saved = json.loads(out.read_text())
    assert saved['threshold'] == 20 and saved['flagged'] == report['flagged']
    assert f'flagged: {", ".join(report["flagged"])}' in proc.stdout
