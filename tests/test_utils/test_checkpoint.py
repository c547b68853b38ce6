# Copyright (c) mmir contributors. All rights reserved.
"""mmengine metadata loads with weights_only=True; nothing else does."""
import os

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import mmir  # noqa: F401  (registers the allow-list)


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
