# Copyright (c) mmir contributors. All rights reserved.
"""Another project inherits an mmir config as ``_base_ = 'mmir::...'``."""
import os
import subprocess
import sys

from ..conftest import REPO

LOAD = """
import site, sys
site.addsitedir(sys.argv[1])  # what the interpreter does for site-packages
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
cfg = Config.fromfile(sys.argv[2])
assert '_scope_' not in cfg.model, cfg.model
with DefaultScope.overwrite_default_scope(cfg.default_scope):
    model = MODELS.build(cfg.model)
print(cfg.train_dataloader.batch_size, cfg.model.backbone.patch_size,
      type(model).__name__, type(model.decode_head).__name__)
"""


def test_installed_mmir_config_is_inheritable(tmp_path):
    site_dir = tmp_path / 'site'
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
        '--no-build-isolation', '--no-index', '--target',
        str(site_dir), REPO
    ], check=True, capture_output=True)
    user_cfg = tmp_path / 'project' / 'my_config.py'
    user_cfg.parent.mkdir()
    user_cfg.write_text(
        "_base_ = 'mmir::demo/upernet-llfpn_vit-tiny-p8_unip-pre_"
        "1xb8-1k_synthir-soda-64x64.py'\n"
        'train_dataloader = dict(batch_size=3)\n')
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    out = subprocess.run(
        [sys.executable, '-c', LOAD, str(site_dir), str(user_cfg)],
        cwd=str(user_cfg.parent), env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ['3', '8', 'EncoderDecoder', 'UPerHead']
