# Copyright (c) mmir contributors. All rights reserved.
"""tools/analysis_tools/adavipro_masks.py on the SynthIR AdaViPro and VP
demo configs with random weights: each tile against the model's own
``prompt_mask`` and ``prompted`` and a Laplacian computed here."""
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS

from mmir.registry import MODELS
from ..conftest import REPO, run_tool

TOOL = 'tools/analysis_tools/adavipro_masks.py'
DEMO = osp.join(REPO, 'configs', 'adavipro',
                '{}_vit-128d-p8-pad8_1xb32-300i_synthir-cls-64px.py')
NUM_IMAGES = 3
SIZE = 64
# The tool's layout: a 16 px header, then rows of 4 tiles, 4 px apart and
# from the border.
GAP, HEADER = 4, 16
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)


def data_options(root: str) -> list:
    """The test split on the test SynthIR, the classifier untrained."""
    return [
        f'test_dataloader.dataset.data_root={root}',
        'model.classifier_checkpoint=None'
    ]


def load_config(method: str, root: str) -> Config:
    """A demo config (``'adavipro'`` or ``'vp'``) on the test SynthIR."""
    cfg = Config.fromfile(DEMO.format(method))
    cfg.test_dataloader.dataset.data_root = root
    cfg.model.classifier_checkpoint = None
    return cfg


def save_model(cfg: Config, path: str) -> torch.nn.Module:
    """The config's model with random weights, saved, in eval mode."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    torch.save({'state_dict': model.state_dict()}, path)
    return model.eval()


@pytest.fixture(scope='module')
def setup(synthir_root, tmp_path_factory) -> dict:
    """Classification lists, both models saved, and the raw samples."""
    run_tool(['tools/dataset_converters/synthir_classification.py',
              synthir_root])
    folder = tmp_path_factory.mktemp('adavipro_masks')
    models = {}
    for method in ('adavipro', 'vp'):
        cfg = load_config(method, synthir_root)
        path = str(folder / f'{method}.pth')
        models[method] = (path, save_model(cfg, path))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
    # uint8 BGR (H, W, 3), as loaded and resized by the test pipeline
    raw = [dataset[i]['inputs'].permute(1, 2, 0).numpy()
           for i in range(NUM_IMAGES)]
    preprocessor = cfg.model.data_preprocessor
    return dict(
        root=synthir_root,
        models=models,
        raw=raw,
        mean=np.float32(preprocessor.mean),
        std=np.float32(preprocessor.std))


def draw(setup: dict, method: str, out: str):
    """Run the tool; return the grid and its stdout."""
    checkpoint = setup['models'][method][0]
    proc = run_tool([
        TOOL, DEMO.format(method), checkpoint, '--out', out,
        '--num-images', str(NUM_IMAGES), '--cfg-options'
    ] + data_options(setup['root']))
    return cv2.imread(out, cv2.IMREAD_UNCHANGED), proc.stdout


def tile(grid: np.ndarray, row: int, col: int) -> np.ndarray:
    """The tile of a sample (row) and column of the grid."""
    top = HEADER + GAP + row * (SIZE + GAP)
    left = GAP + col * (SIZE + GAP)
    return grid[top:top + SIZE, left:left + SIZE].astype(np.int32)


def normalised(setup: dict, raw: np.ndarray) -> torch.Tensor:
    """(1, 3, H, W) model input: RGB, (x - mean) / std."""
    rgb = raw[..., ::-1].astype(np.float32)
    chw = ((rgb - setup['mean']) / setup['std']).transpose(2, 0, 1)
    return torch.from_numpy(chw.copy())[None]


def to_bgr_pixels(setup: dict, inputs: torch.Tensor) -> np.ndarray:
    """Un-normalised, clipped, rounded BGR (H, W, 3)."""
    rgb = inputs[0].permute(1, 2, 0).numpy() * setup['std'] + setup['mean']
    return np.rint(np.clip(rgb, 0, 255))[..., ::-1].astype(np.int32)


def edge_pixels(inputs: torch.Tensor) -> np.ndarray:
    """|Laplacian| of the channel mean (zero border), peak at 255."""
    gray = inputs[0].mean(dim=0).numpy()
    edges = np.abs(
        cv2.filter2D(gray, -1, LAPLACIAN, borderType=cv2.BORDER_CONSTANT))
    return np.rint(edges * 255 / edges.max()).astype(np.int32)


def on_shares(stdout: str) -> list:
    """The printed shares of regions on, as fractions."""
    return [
        float(v) / 100
        for v in re.findall(r'image \d+: ([\d.]+)% of regions on', stdout)
    ]


def test_grid_shows_input_edges_mask_and_prompted_image(setup, tmp_path):
    out = str(tmp_path / 'grids' / 'adavipro.png')
    grid, stdout = draw(setup, 'adavipro', out)
    assert grid.shape == (HEADER + GAP + NUM_IMAGES * (SIZE + GAP),
                          GAP + 4 * (SIZE + GAP), 3)
    assert f'drawn to {out}' in stdout
    model = setup['models']['adavipro'][1]
    shares, masks = on_shares(stdout), []
    assert len(shares) == NUM_IMAGES
    for row, raw in enumerate(setup['raw']):
        inputs = normalised(setup, raw)
        with torch.no_grad():
            mask = model.prompt_mask(inputs)
            prompted = model.prompted(inputs)
        masks.append(mask)
        image = tile(grid, row, 0)
        assert np.abs(image - raw).max() <= 1
        assert np.abs(tile(grid, row, 1) -
                      edge_pixels(inputs)[..., None]).max() <= 1
        expected_mask = 255 * mask[0, 0].numpy().astype(np.int32)
        assert np.array_equal(tile(grid, row, 2),
                              np.repeat(expected_mask[..., None], 3, -1))
        assert np.abs(tile(grid, row, 3) -
                      to_bgr_pixels(setup, prompted)).max() <= 1
        assert shares[row] == pytest.approx(mask.mean().item(), abs=5e-4)
    # the mask matters: some regions on, some off, the prompt coloured
    masks = torch.cat(masks)
    assert 0 < masks.mean().item() < 1
    assert not np.array_equal(tile(grid, 0, 3), tile(grid, 0, 0))


def test_vp_mask_is_all_on_and_edges_still_drawn(setup, tmp_path):
    out = str(tmp_path / 'vp.png')
    grid, stdout = draw(setup, 'vp', out)
    model = setup['models']['vp'][1]
    assert model.mask_generator is None
    assert 'VP (no mask generator)' in stdout
    assert on_shares(stdout) == [1.0] * NUM_IMAGES
    for row, raw in enumerate(setup['raw']):
        inputs = normalised(setup, raw)
        with torch.no_grad():
            prompted = model.prompted(inputs)
        assert (tile(grid, row, 2) == 255).all()
        assert np.abs(tile(grid, row, 1) -
                      edge_pixels(inputs)[..., None]).max() <= 1
        assert np.abs(tile(grid, row, 3) -
                      to_bgr_pixels(setup, prompted)).max() <= 1


def test_missing_or_unfit_checkpoint_is_named(setup, tmp_path):
    out = str(tmp_path / 'grid.png')
    missing = str(tmp_path / 'no_such.pth')
    proc = run_tool([TOOL, DEMO.format('adavipro'), missing, '--out', out],
                    check=False)
    assert proc.returncode != 0
    assert f'{missing}: no such checkpoint file' in proc.stderr
    # strict: VP's weights lack the mask generator
    vp = setup['models']['vp'][0]
    proc = run_tool([
        TOOL, DEMO.format('adavipro'), vp, '--out', out, '--cfg-options'
    ] + data_options(setup['root']),
                    check=False)
    assert proc.returncode != 0
    assert vp in proc.stderr and 'mask_generator.policy.weight' in \
        proc.stderr
    assert not osp.exists(out)
