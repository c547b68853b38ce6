# Copyright (c) mmir contributors. All rights reserved.
"""mmengine metadata loads with weights_only=True; nothing else does."""
import argparse
import os

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import mmir  # noqa: F401  (registers the allow-list)
from mmir.checkpoint import read_external, read_state_dict
from ..conftest import run_tool


def test_message_hub_round_trip(tmp_path):
    hub = MessageHub.get_instance('mmir-test-checkpoint')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', np.float64(0.25))
    hub.update_info('iter', 3)
    meta = dict(
        seed=np.int64(0),
        scalar=np.float32(1.5),
        array=np.arange(3),
        message_hub=hub.state_dict())
    path = tmp_path / 'ckpt.pth'
    torch.save(meta, path)
    loaded = torch.load(path, weights_only=True)
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(0.375)
    assert buffer.current() == pytest.approx(0.25)
    np.testing.assert_array_equal(loaded['array'], np.arange(3))
    assert loaded['scalar'] == np.float32(1.5)


def test_arbitrary_globals_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(dict(call=os.system), path)
    with pytest.raises(Exception, match='os.system|posix.system'):
        torch.load(path, weights_only=True)


def test_import_mmir_registers_the_allow_list_and_nothing_heavy():
    script = (
        'import sys, torch\n'
        'import mmir\n'
        'from mmengine.logging import HistoryBuffer\n'
        'print(HistoryBuffer in torch.serialization.get_safe_globals())\n'
        "print(sorted(m for m in ('mmengine.model', 'mmir.registry',\n"
        "    'mmir.models', 'mmir.checkpoint.strict_pretrained')\n"
        '    if m in sys.modules))\n')
    out = run_tool(['-c', script]).stdout.splitlines()
    assert out[-2:] == ['True', '[]']


def test_readers_unwrap_strip_and_allow_namespaces(tmp_path):
    path = tmp_path / 'ckpt.pth'
    weights = {'module.backbone.a': torch.ones(1), 'module.neck.b': 2}
    torch.save(dict(teacher=weights, args=argparse.Namespace(lr=1)), path)
    with pytest.raises(Exception, match='Namespace'):
        read_state_dict(path)
    assert read_external(path) == {'backbone.a': torch.ones(1)}
    assert read_external(path, 'backbone.') == {'a': torch.ones(1)}
    with pytest.raises(KeyError, match=r"ckpt.pth: no weights found under "
                       r"prefix 'head.'"):
        read_external(path, 'head.')
