# Copyright (c) mmir contributors. All rights reserved.
"""model-index.yml lists every config folder's metafile, whose entries
point at existing configs; every config is listed, and has a README."""
import glob
import os.path as osp

import yaml

from .conftest import REPO
from .test_configs import CONFIGS


def test_every_config_is_in_a_metafile():
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    listed = set()
    for metafile in index['Import']:
        meta = yaml.safe_load(open(osp.join(REPO, metafile)))
        for collection in meta['Collections']:
            assert osp.isfile(osp.join(REPO, collection['README']))
        for model in meta['Models']:
            config = osp.join(REPO, model['Config'])
            assert osp.isfile(config), model['Name']
            assert osp.basename(config) == model['Name'] + '.py'
            listed.add(config)
    assert set(CONFIGS) - listed == set()
    folders = {p.split(osp.sep)[len(REPO.split(osp.sep)) + 1]
               for p in CONFIGS}
    for folder in folders:
        assert glob.glob(osp.join(REPO, 'configs', folder, 'README.md'))
