# Copyright (c) mmir contributors. All rights reserved.
"""OpenAI's DALL-E files, pickled whole modules of the ``dall_e`` package,
convert without that package and reproduce OpenAI's token logits and
decoded images (the reference is :mod:`.dalle_reference`, installed as a
fake ``dall_e`` package only while the files are written)."""
import os
import pickle
import sys
import types
from typing import Dict

import pytest
import torch
import torch.nn as nn

from mmir.checkpoint.formats import dalle_to_mmir
from mmir.models import DALLEDecoder, DALLETokenizer
from mmir.registry import MODELS
from ...conftest import REPO, run_tool
from . import dalle_reference as ref
from .random_weights import randomize_

ENCODER = dict(n_hid=8, n_blk_per_group=2, vocab_size=32)
DECODER = dict(n_init=16, n_hid=8, n_blk_per_group=2, vocab_size=32)
TOL = dict(atol=1e-5, rtol=1e-5)
TOOL = 'tools/model_converters/dalle_to_mmir.py'


def reference_pair(seed: int = 0) -> tuple:
    """A reference encoder and decoder with random weights."""
    return (randomize_(ref.Encoder(**ENCODER), seed),
            randomize_(ref.Decoder(**DECODER), seed + 1))


def save_pickled(files: Dict[str, nn.Module], legacy: bool = False) -> None:
    """``torch.save`` whole reference modules as OpenAI did, with the
    reference classes installed as the ``dall_e`` package; the package is
    gone again afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        package = types.ModuleType('dall_e')
        package.__path__ = []
        patch.setitem(sys.modules, 'dall_e', package)
        for name, classes in ref.DALL_E_MODULES.items():
            module = types.ModuleType(name)
            patch.setitem(sys.modules, name, module)
            setattr(package, name.rsplit('.', 1)[1], module)
            for cls in classes:
                patch.setattr(cls, '__module__', name)
                setattr(module, cls.__name__, cls)
        for path, model in files.items():
            torch.save(
                model, path, _use_new_zipfile_serialization=not legacy)
    assert not any(name.startswith('dall_e') for name in sys.modules)
    assert ref.Encoder.__module__ == ref.__name__


def tokenizer(**kwargs) -> DALLETokenizer:
    """A tiny tokenizer of the reference's sizes, initialised."""
    model = MODELS.build(
        dict(
            type='mmir.DALLETokenizer',
            encoder=dict(type='mmpretrain.DALL-E', **ENCODER),
            decoder=dict(type='mmir.DALLEDecoder', **DECODER),
            **kwargs))
    model.init_weights()
    return model.eval()


def images() -> torch.Tensor:
    return torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(3))


def token_ids() -> torch.Tensor:
    return torch.randint(
        0, 32, (2, 4, 4), generator=torch.Generator().manual_seed(4))


def check_reproduces(model: DALLETokenizer, encoder: nn.Module,
                     decoder: nn.Module) -> None:
    """Token logits and decoded images equal the reference's."""
    x, ids = images(), token_ids()
    with torch.no_grad():
        torch.testing.assert_close(
            model.token_logits(x), ref.reference_token_logits(encoder, x),
            **TOL)
        assert torch.equal(
            model.encode(x),
            ref.reference_token_logits(encoder, x).argmax(1))
        torch.testing.assert_close(
            model.decode(ids), ref.reference_decode(decoder, ids), **TOL)


@pytest.mark.filterwarnings("ignore:Couldn't retrieve source code")
@pytest.mark.parametrize('legacy', [False, True], ids=['zip', 'legacy'])
def test_pickled_modules_reproduce_openai(tmp_path, legacy):
    encoder, decoder = reference_pair()
    enc, dec = str(tmp_path / 'encoder.pkl'), str(tmp_path / 'decoder.pkl')
    save_pickled({enc: encoder, dec: decoder}, legacy)
    dst = str(tmp_path / 'dalle.pth')

    checkpoint = dalle_to_mmir(enc, dec, dst)
    meta = checkpoint['meta']
    assert meta['kinds'] == dict(
        encoder='pickled dall_e.encoder.Encoder',
        decoder='pickled dall_e.decoder.Decoder')
    assert meta['settings'] == dict(
        encoder=dict(ENCODER, input_channels=3),
        decoder=dict(DECODER, output_channels=3))
    assert meta['dropped_keys'] == []
    expected = {f'encoder.{k}': v for k, v in encoder.state_dict().items()}
    expected.update(
        (f'decoder.{k}', v) for k, v in decoder.state_dict().items())
    assert checkpoint['state_dict'].keys() == expected.keys()
    assert all(
        torch.equal(checkpoint['state_dict'][k], v)
        for k, v in expected.items())

    model = tokenizer(
        init_cfg=dict(type='mmir.StrictPretrained', checkpoint=dst))
    check_reproduces(model, encoder, decoder)


def expected_keys(encoder: nn.Module, decoder: nn.Module) -> list:
    return [f'encoder.{k}' for k in encoder.state_dict()] + \
        [f'decoder.{k}' for k in decoder.state_dict()]


def test_command_line_tool(tmp_path):
    encoder, decoder = reference_pair(seed=5)
    enc, dec = str(tmp_path / 'encoder.pkl'), str(tmp_path / 'decoder.pkl')
    save_pickled({enc: encoder, dec: decoder})
    env = dict(os.environ, PYTHONPATH=REPO)
    dst = str(tmp_path / 'out' / 'dalle.pth')
    out = run_tool([TOOL, '--encoder', enc, '--decoder', dec, dst],
                   env=env).stdout
    assert f'wrote {dst}: {len(expected_keys(encoder, decoder))} tensors' \
        in out
    assert f'decoder: {dec} (pickled dall_e.decoder.Decoder), settings ' \
        f"{{'n_init': 16, 'n_hid': 8, 'n_blk_per_group': 2, " \
        f"'output_channels': 3, 'vocab_size': 32}}" in out
    model = tokenizer(
        init_cfg=dict(type='mmir.StrictPretrained', checkpoint=dst))
    check_reproduces(model, encoder, decoder)

    torch.save({'blocks.input.w': torch.ones(16, 32, 1, 1)}, dec)
    bad = run_tool([TOOL, '--encoder', enc, '--decoder', dec, dst],
                   env=env, check=False)
    assert bad.returncode != 0 and 'Traceback' not in bad.stderr
    assert dec in bad.stderr and 'blocks.output.conv.w' in bad.stderr
    none = run_tool([TOOL, dst], env=env, check=False)
    assert none.returncode != 0 and '--encoder, --decoder' in none.stderr


def test_encoder_state_dict_with_pickled_decoder(tmp_path):
    """mmpretrain's ``dalle_encoder.pth`` is a plain state dict."""
    encoder, decoder = reference_pair(seed=7)
    enc, dec = str(tmp_path / 'dalle_encoder.pth'), str(tmp_path / 'd.pkl')
    torch.save(encoder.state_dict(), enc)
    save_pickled({dec: decoder})
    dst = str(tmp_path / 'dalle.pth')
    meta = dalle_to_mmir(enc, dec, dst)['meta']
    assert meta['kinds']['encoder'] == 'state dict'
    model = tokenizer(
        init_cfg=dict(type='mmir.StrictPretrained', checkpoint=dst))
    check_reproduces(model, encoder, decoder)


def test_one_part_loads_into_its_module(tmp_path):
    _, decoder = reference_pair(seed=9)
    dec = str(tmp_path / 'decoder.pkl')
    save_pickled({dec: decoder})
    dst = str(tmp_path / 'decoder_only.pth')
    checkpoint = dalle_to_mmir(None, dec, dst)
    assert list(checkpoint['meta']['settings']) == ['decoder']
    assert all(k.startswith('decoder.') for k in checkpoint['state_dict'])
    ours = MODELS.build(
        dict(
            type='mmir.DALLEDecoder',
            init_cfg=dict(
                type='mmir.StrictPretrained',
                checkpoint=dst,
                prefix='decoder.'),
            **DECODER))
    ours.init_weights()
    assert isinstance(ours, DALLEDecoder)
    one_hot = torch.eye(32)[token_ids()].permute(0, 3, 1, 2)
    with torch.no_grad():
        torch.testing.assert_close(ours(one_hot), decoder(one_hot), **TOL)
    with pytest.raises(ValueError, match='the encoder, the decoder or both'):
        dalle_to_mmir(None, None, dst)


def state_dict_file(tmp_path, module: nn.Module, edit=None) -> str:
    """A plain state dict of ``module``, edited in place by ``edit``."""
    weights = dict(module.state_dict())
    if edit:
        edit(weights)
    path = str(tmp_path / f'{type(module).__name__}.pth')
    torch.save(weights, path)
    return path


@pytest.mark.parametrize('part, edit, message', [
    ('decoder',
     lambda w: w.pop('blocks.group_2.block_1.id_path.b'),
     r"missing keys \['blocks.group_2.block_1.id_path.b'\]"),
    ('decoder',
     lambda w: w.update({'blocks.extra.w': torch.ones(1)}),
     r"unknown keys \['blocks.extra.w'\]"),
    ('encoder',
     lambda w: w.update({'blocks.output.conv.b': torch.ones(33)}),
     r'blocks.output.conv.b \(33,\) \(expected \(32,\)\)'),
    ('decoder',
     lambda w: w.update({
         'blocks.group_1.block_1.res_path.conv_1.w': torch.ones(
             16, 16, 3, 3)}),
     r'conv_1.w \(16, 16, 3, 3\) \(expected \(16, 16, 1, 1\)\)'),
    ('encoder', lambda w: w.pop('blocks.output.conv.w'),
     r"not a DALL-E encoder or decoder: it needs 4-D "
     r"\['blocks.input.w', 'blocks.output.conv.w'\]"),
])
def test_wrong_layout_is_refused(tmp_path, part, edit, message):
    encoder, decoder = reference_pair()
    module = encoder if part == 'encoder' else decoder
    path = state_dict_file(tmp_path, module, edit)
    dst = str(tmp_path / 'out.pth')
    with pytest.raises(KeyError, match=message) as error:
        dalle_to_mmir(*((path, None) if part == 'encoder' else
                        (None, path)), dst)
    assert path in str(error.value)
    assert not os.path.exists(dst)


def test_vocabulary_mismatch_is_refused(tmp_path):
    encoder = randomize_(ref.Encoder(**ENCODER), 0)
    decoder = randomize_(ref.Decoder(**dict(DECODER, vocab_size=64)), 1)
    enc = state_dict_file(tmp_path, encoder)
    dec = state_dict_file(tmp_path, decoder)
    with pytest.raises(ValueError, match='scores 32 tokens but the decoder '
                       r'\(.*Decoder.pth\) reads 64'):
        dalle_to_mmir(enc, dec, str(tmp_path / 'out.pth'))


def test_parts_given_the_wrong_way_round_are_refused(tmp_path):
    encoder, decoder = reference_pair()
    enc = state_dict_file(tmp_path, encoder)
    with pytest.raises(KeyError, match=r'given as the DALL-E decoder, holds '
                       r'the other part \(blocks.input.w \(8, 3, 7, 7\)\)'):
        dalle_to_mmir(None, enc, str(tmp_path / 'out.pth'))


def test_other_residual_gain_is_refused(tmp_path):
    _, decoder = reference_pair()
    decoder.blocks.group_3.block_2.post_gain = 0.5
    dec = str(tmp_path / 'decoder.pkl')
    save_pickled({dec: decoder})
    with pytest.raises(KeyError, match=r'residual gains '
                       r"\['blocks.group_3.block_2.post_gain 0.5'\] "
                       r'\(1 in all\), not 0.015625'):
        dalle_to_mmir(None, dec, str(tmp_path / 'out.pth'))


class Payload:
    """Pickles as a call of ``function(*args)``."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


@pytest.mark.parametrize('function, name', [
    (os.system, f'{os.system.__module__}.system'),
    (eval, '__builtin__.eval'),  # protocol 2 names Python 2's module
])
def test_other_globals_are_refused(tmp_path, function, name):
    marker = tmp_path / 'ran'
    payload = f'touch {marker}' if function is os.system else \
        f'open({str(marker)!r}, "w")'
    path = str(tmp_path / 'decoder.pkl')
    torch.save({'blocks.input.w': Payload(function, payload)}, path)
    with pytest.raises(pickle.UnpicklingError,
                       match=rf'decoder.pkl: global {name} is not allowed'):
        dalle_to_mmir(None, path, str(tmp_path / 'out.pth'))
    assert not marker.exists()

    bad = run_tool([TOOL, '--decoder', path, str(tmp_path / 'out.pth')],
                   env=dict(os.environ, PYTHONPATH=REPO), check=False)
    assert bad.returncode != 0 and 'Traceback' not in bad.stderr
    assert f'global {name} is not allowed' in bad.stderr
    assert not marker.exists()
