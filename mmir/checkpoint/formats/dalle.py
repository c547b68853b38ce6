# Copyright (c) mmir contributors. All rights reserved.
"""OpenAI's DALL-E dVAE files: ``encoder.pkl`` and ``decoder.pkl``.

OpenAI released the dVAE as whole modules saved with ``torch.save``
(``dall_e.encoder.Encoder`` and ``dall_e.decoder.Decoder``, with their
``EncoderBlock``, ``DecoderBlock`` and ``dall_e.utils.Conv2d``), which
plain ``torch.load`` can only read with the ``dall_e`` package installed
and with unrestricted unpickling.  :func:`read_dalle` reads them without
either: ``torch.load(pickle_module=RESTRICTED_PICKLE,
weights_only=False)``, whose unpickler builds every ``dall_e.*`` class as
a :class:`DALLEStandIn` (a bare ``nn.Module`` that only keeps the
attributes, submodules and parameters) and allows only
:data:`ALLOWED_GLOBALS`, the torch, ``collections`` and ``builtins``
names that tensors and OpenAI's modules need; any other global is refused
by name.  A plain state dict (mmpretrain's encoder-only
``dalle_encoder.pth``, say) is read with ``weights_only=True`` as usual.

:func:`dalle_to_mmir` (``tools/model_converters/dalle_to_mmir.py``) tells
an encoder from a decoder by its input convolution (7x7 from pixels or
1x1 from tokens), reads the settings from the shapes, checks every key
and shape against the layout those settings give (refusing unknown,
missing and misshapen keys by name) and the residual gains of OpenAI's
blocks, refuses an encoder and a decoder of different vocabularies, and
writes one checkpoint with ``encoder.`` (mmpretrain's ``DALLEEncoder``)
and ``decoder.`` (mmir's ``DALLEDecoder``) keys: OpenAI's names are kept,
so the key map is the identity and nothing is dropped.
"""
import pickle
import re
import warnings
from collections import OrderedDict
from types import SimpleNamespace
from typing import BinaryIO, Dict, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from ..converted import describe, save_converted
from ..safe_load import read_external

KEY_MAPS = {}

# Widths of the four groups in units of ``n_hid``, and the kernel sizes of
# a block's four residual convolutions.
ENCODER_GROUP_WIDTHS = (1, 2, 4, 8)
ENCODER_BLOCK_KERNELS = (3, 3, 3, 1)
DECODER_GROUP_WIDTHS = (8, 4, 2, 1)
DECODER_BLOCK_KERNELS = (1, 3, 3, 3)
# Kernel of the input convolution: pixels (encoder) or tokens (decoder).
INPUT_KERNELS = {7: 'encoder', 1: 'decoder'}
ANCHOR_KEYS = ('blocks.input.w', 'blocks.output.conv.w')
BLOCK_OF_GROUP_1 = re.compile(r'^blocks\.group_1\.block_(\d+)\.')

# Everything but ``dall_e.*`` that a pickled OpenAI module may name.
ALLOWED_GLOBALS = {
    ('collections', 'OrderedDict'): OrderedDict,
    ('builtins', 'set'): set,
    ('__builtin__', 'set'): set,  # as protocol 2 names it, for Python 2
    ('torch', 'device'): torch.device,
    ('torch._utils', '_rebuild_tensor_v2'): torch._utils._rebuild_tensor_v2,
    ('torch._utils', '_rebuild_parameter'): torch._utils._rebuild_parameter,
    ('torch._utils', '_rebuild_parameter_with_state'):
    torch._utils._rebuild_parameter_with_state,
    **{(cls.__module__, cls.__name__): cls
       for cls in (nn.Identity, nn.MaxPool2d, nn.ReLU, nn.Sequential,
                   nn.Upsample)},
}


class DALLEStandIn(nn.Module):
    """Stands in for a class of OpenAI's ``dall_e`` package while a
    pickled module is read: ``nn.Module.__setstate__`` restores its
    attributes, submodules and parameters, so ``state_dict()`` gives
    OpenAI's names.  It has no ``forward``.

    Attributes:
        dall_e_class (str): The class it stands in for, e.g.
            ``'dall_e.decoder.Decoder'``.
    """

    dall_e_class = 'dall_e'


class DALLEUnpickler(pickle.Unpickler):
    """An unpickler that builds ``dall_e.*`` classes as
    :class:`DALLEStandIn` subclasses and allows no other global than
    :data:`ALLOWED_GLOBALS` (torch's loader resolves storage types itself).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stand_ins: Dict[str, type] = {}

    def find_class(self, module: str, name: str) -> type:
        """The class or function a pickle names, or an error naming it.

        Raises:
            pickle.UnpicklingError: For a global that is neither
                ``dall_e.*`` nor allowed.
        """
        if module == 'dall_e' or module.startswith('dall_e.'):
            qualname = f'{module}.{name}'
            if qualname not in self.stand_ins:
                self.stand_ins[qualname] = type(
                    name, (DALLEStandIn, ), dict(dall_e_class=qualname))
            return self.stand_ins[qualname]
        if (module, name) in ALLOWED_GLOBALS:
            return ALLOWED_GLOBALS[(module, name)]
        raise pickle.UnpicklingError(
            f'global {module}.{name} is not allowed in a DALL-E file (only '
            'dall_e.*, torch tensors and parameters, torch.device, '
            'collections.OrderedDict, builtins.set and the torch.nn '
            'containers and layers of OpenAI\'s modules)')


def _restricted_load(file: BinaryIO, **kwargs) -> object:
    """``pickle.load`` with :class:`DALLEUnpickler`."""
    return DALLEUnpickler(file, **kwargs).load()


# What ``torch.load(pickle_module=...)`` uses of a pickle module.
RESTRICTED_PICKLE = SimpleNamespace(
    __name__=f'{__name__}.RESTRICTED_PICKLE',
    Unpickler=DALLEUnpickler,
    load=_restricted_load)


class DALLEFile(NamedTuple):
    """The weights of one DALL-E file and what it was.

    Args:
        weights (Dict[str, torch.Tensor]): OpenAI's names -> tensors.
        kind (str): ``'pickled <dall_e class>'`` or ``'state dict'``.
        gains (Dict[str, float]): The ``post_gain`` of every block of a
            pickled module, by block name; empty for a state dict.
    """

    weights: Dict[str, torch.Tensor]
    kind: str
    gains: Dict[str, float]


def read_dalle(path: str) -> DALLEFile:
    """Read a pickled OpenAI module or a plain state dict of one.

    Args:
        path (str): ``encoder.pkl``, ``decoder.pkl`` or a state dict file.

    Returns:
        DALLEFile: Its weights, kind and block gains.

    Raises:
        pickle.UnpicklingError: Naming ``path`` and the global, when the
            file names a global that is not allowed.
        KeyError: Naming ``path``, when it holds neither a ``dall_e``
            module nor weights.
    """
    try:
        return DALLEFile(read_external(path), 'state dict', {})
    except pickle.UnpicklingError:
        pass  # not plain weights: read as a pickled ``dall_e`` module
    try:
        with warnings.catch_warnings():
            # the stand-ins have no source to compare with the one that
            # the legacy format saves of each module class
            warnings.simplefilter('ignore',
                                  torch.serialization.SourceChangeWarning)
            warnings.filterwarnings(
                'ignore', message="Couldn't retrieve source code")
            module = torch.load(
                path,
                map_location='cpu',
                pickle_module=RESTRICTED_PICKLE,
                weights_only=False)
    except pickle.UnpicklingError as error:
        raise pickle.UnpicklingError(f'{path}: {error}') from None
    if not isinstance(module, DALLEStandIn):
        raise KeyError(f'{path} holds a {type(module).__name__}, neither a '
                       'pickled dall_e module nor a state dict')
    gains = {
        name: sub.post_gain
        for name, sub in module.named_modules() if 'post_gain' in vars(sub)
    }
    return DALLEFile(module.state_dict(), f'pickled {module.dall_e_class}',
                     gains)


def _conv(prefix: str, n_out: int, n_in: int,
          kernel: int) -> Dict[str, Tuple[int, ...]]:
    """The shapes of one OpenAI ``Conv2d`` (``w``, ``b``)."""
    return {
        f'{prefix}.w': (n_out, n_in, kernel, kernel),
        f'{prefix}.b': (n_out, )
    }


def _block(prefix: str, n_in: int, n_out: int,
           kernels: Sequence[int]) -> Dict[str, Tuple[int, ...]]:
    """The shapes of one encoder or decoder block: a 1x1 identity path
    when the width changes, and four residual convolutions of width
    ``n_out / 4``."""
    shapes = _conv(f'{prefix}.id_path', n_out, n_in, 1) \
        if n_in != n_out else {}
    hidden = n_out // 4
    widths = (n_in, hidden, hidden, hidden, n_out)
    for i, kernel in enumerate(kernels):
        shapes.update(
            _conv(f'{prefix}.res_path.conv_{i + 1}', widths[i + 1],
                  widths[i], kernel))
    return shapes


def _groups(n_in: int, n_hid: int, n_blk: int, scales: Sequence[int],
            kernels: Sequence[int]) -> Dict[str, Tuple[int, ...]]:
    """The shapes of the four groups of blocks, of widths ``scales x
    n_hid``, after an input of width ``n_in``."""
    shapes = {}
    for g, scale in enumerate(scales):
        width = scale * n_hid
        for i in range(n_blk):
            shapes.update(
                _block(f'blocks.group_{g + 1}.block_{i + 1}',
                       n_in if i == 0 else width, width, kernels))
        n_in = width
    return shapes


def _settings(weights: Dict[str, torch.Tensor], source: str) -> dict:
    """The part (``encoder`` or ``decoder``) and its config settings, read
    from the input and output convolutions and the blocks of group 1."""
    anchors = [weights.get(key) for key in ANCHOR_KEYS]
    if any(w is None or w.dim() != 4 for w in anchors):
        raise KeyError(
            f'{source} is not a DALL-E encoder or decoder: it needs 4-D '
            f'{list(ANCHOR_KEYS)}; its keys begin {sorted(weights)[:10]} '
            f'({len(weights)} in all)')
    inputs, outputs = anchors
    part = INPUT_KERNELS.get(inputs.shape[-1])
    if part is None:
        raise KeyError(
            f'{source}: blocks.input.w is {tuple(inputs.shape)}, neither a '
            '7x7 convolution from pixels (encoder) nor a 1x1 one from '
            'tokens (decoder)')
    blocks = [int(m[1]) for m in map(BLOCK_OF_GROUP_1.match, weights) if m]
    n_blk = max(blocks, default=0)
    if part == 'encoder':
        return dict(
            part=part,
            n_hid=inputs.shape[0],
            n_blk_per_group=n_blk,
            input_channels=inputs.shape[1],
            vocab_size=outputs.shape[0])
    return dict(
        part=part,
        n_init=inputs.shape[0],
        n_hid=outputs.shape[1],
        n_blk_per_group=n_blk,
        output_channels=outputs.shape[0] // 2,
        vocab_size=inputs.shape[1])


def _shapes(settings: dict) -> Dict[str, Tuple[int, ...]]:
    """Every key of the layout ``settings`` give, with its shape."""
    n_hid, n_blk = settings['n_hid'], settings['n_blk_per_group']
    vocab_size = settings['vocab_size']
    if settings['part'] == 'encoder':
        return {
            **_conv('blocks.input', n_hid, settings['input_channels'], 7),
            **_groups(n_hid, n_hid, n_blk, ENCODER_GROUP_WIDTHS,
                      ENCODER_BLOCK_KERNELS),
            **_conv('blocks.output.conv', vocab_size,
                    ENCODER_GROUP_WIDTHS[-1] * n_hid, 1),
        }
    return {
        **_conv('blocks.input', settings['n_init'], vocab_size, 1),
        **_groups(settings['n_init'], n_hid, n_blk, DECODER_GROUP_WIDTHS,
                  DECODER_BLOCK_KERNELS),
        **_conv('blocks.output.conv', 2 * settings['output_channels'],
                DECODER_GROUP_WIDTHS[-1] * n_hid, 1),
    }


def _listed(keys: Sequence[str]) -> str:
    """The first ten keys, and how many in all."""
    return f'{list(keys[:10])} ({len(keys)} in all)'


def check_dalle(dalle: DALLEFile, source: str) -> dict:
    """Check a DALL-E file against the layout its shapes give.

    Args:
        dalle (DALLEFile): As :func:`read_dalle` returns it.
        source (str): The file, for the messages.

    Returns:
        dict: The part (``'encoder'`` or ``'decoder'``) under ``part`` and
        the config settings of its module (``n_hid``,
        ``n_blk_per_group``, ``vocab_size``, and ``input_channels`` or
        ``n_init`` and ``output_channels``).

    Raises:
        KeyError: Naming ``source`` and the keys, for unknown, missing or
            misshapen keys, or residual gains other than
            ``1 / (4 * n_blk_per_group)**2``.
    """
    settings = _settings(dalle.weights, source)
    expected = _shapes(settings)
    weights = dalle.weights
    problems = []
    unknown = sorted(set(weights) - set(expected))
    missing = sorted(set(expected) - set(weights))
    wrong = [
        f'{key} {tuple(weights[key].shape)} (expected {shape})'
        for key, shape in expected.items()
        if key in weights and tuple(weights[key].shape) != shape
    ]
    gain = 1 / (len(DECODER_GROUP_WIDTHS) * settings['n_blk_per_group'])**2
    gains = [
        f'{name}.post_gain {value}'
        for name, value in dalle.gains.items() if value != gain
    ]
    if unknown:
        problems.append(f'unknown keys {_listed(unknown)}')
    if missing:
        problems.append(f'missing keys {_listed(missing)}')
    if wrong:
        problems.append(f'shapes {_listed(wrong)}')
    if gains:
        problems.append(f'residual gains {_listed(gains)}, not {gain}')
    if problems:
        layout = ', '.join(f'{k}={v}' for k, v in settings.items())
        raise KeyError(f'{source} does not match the DALL-E layout '
                       f'({layout}): ' + '; '.join(problems))
    return settings


def dalle_to_mmir(encoder: Optional[str], decoder: Optional[str],
                  dst: str) -> dict:
    """Convert OpenAI's DALL-E encoder and decoder to one mmir checkpoint.

    Each part is OpenAI's pickled module (``encoder.pkl``,
    ``decoder.pkl``) or a plain state dict in OpenAI's names (such as
    mmpretrain's ``dalle_encoder.pth``).  The output holds ``encoder.``
    and ``decoder.`` keys and loads strictly into
    :class:`~mmir.models.DALLETokenizer` (with both parts) through
    ``init_cfg=dict(type='mmir.StrictPretrained', checkpoint=dst)``; a
    single part loads into its module with ``prefix='encoder.'`` or
    ``'decoder.'``.  ``meta`` records each part's file (``sources``),
    kind (``kinds``) and config settings (``settings``).

    Args:
        encoder (str, optional): The encoder file, or None.
        decoder (str, optional): The decoder file, or None.
        dst (str): Output file.

    Returns:
        dict: The checkpoint written.

    Raises:
        ValueError: When both parts are None, or their vocabularies
            differ.
        KeyError: Naming the file and keys, when a file does not match
            its part's layout.
        pickle.UnpicklingError: Naming the file and the global, when a
            file names a global that is not allowed.
    """
    sources = {
        part: path
        for part, path in (('encoder', encoder), ('decoder', decoder))
        if path is not None
    }
    if not sources:
        raise ValueError('give the encoder, the decoder or both')
    state_dict, kinds, settings = {}, {}, {}
    for part, path in sources.items():
        dalle = read_dalle(path)
        found = check_dalle(dalle, path)
        if found.pop('part') != part:
            raise KeyError(f'{path}, given as the DALL-E {part}, holds the '
                           f'other part (blocks.input.w '
                           f'{tuple(dalle.weights["blocks.input.w"].shape)})')
        state_dict.update(
            (f'{part}.{key}', value) for key, value in dalle.weights.items())
        kinds[part], settings[part] = dalle.kind, found
    vocabularies = {part: s['vocab_size'] for part, s in settings.items()}
    if len(set(vocabularies.values())) > 1:
        raise ValueError(
            f'the encoder ({encoder}) scores {vocabularies["encoder"]} '
            f'tokens but the decoder ({decoder}) reads '
            f'{vocabularies["decoder"]}')
    meta = dict(
        source=', '.join(f'{part}: {path}' for part, path in sources.items()),
        converter='dalle_to_mmir',
        key_map='mmpretrain',
        dropped_keys=[],
        sources=sources,
        kinds=kinds,
        settings=settings)
    return save_converted(state_dict, meta, dst)


def describe_dalle(checkpoint: dict, dst: str) -> str:
    """:func:`~mmir.checkpoint.describe`, and each part's file, kind and
    config settings.

    Args:
        checkpoint (dict): As :func:`dalle_to_mmir` returns it.
        dst (str): Where it was written.

    Returns:
        str: The report.
    """
    meta = checkpoint['meta']
    lines = [describe(checkpoint, dst)]
    lines += [
        f'{part}: {meta["sources"][part]} ({meta["kinds"][part]}), '
        f'settings {meta["settings"][part]}' for part in meta['sources']
    ]
    return '\n'.join(lines)
