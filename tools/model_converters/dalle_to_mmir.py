# Copyright (c) mmir contributors. All rights reserved.
"""Convert OpenAI's DALL-E dVAE (``encoder.pkl`` and ``decoder.pkl``,
pickled ``dall_e`` modules, read without the ``dall_e`` package and
without unrestricted unpickling; or plain state dicts such as mmpretrain's
``dalle_encoder.pth``) to one mmir checkpoint with ``encoder.`` and
``decoder.`` keys for ``mmir.DALLETokenizer``.  CIM needs both parts; one
alone converts too (load it with ``prefix='encoder.'`` or
``'decoder.'``).  Prints each part's file and config settings."""
import argparse
import pickle

from mmir.checkpoint.formats import dalle_to_mmir, describe_dalle


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--encoder', help='OpenAI\'s encoder.pkl, or an encoder state dict')
    parser.add_argument('--decoder', help='OpenAI\'s decoder.pkl')
    parser.add_argument('dst', help='output checkpoint')
    args = parser.parse_args()
    if args.encoder is None and args.decoder is None:
        parser.error('give --encoder, --decoder or both')
    return args


def main() -> None:
    """Convert and print what was written."""
    args = parse_args()
    try:
        checkpoint = dalle_to_mmir(args.encoder, args.decoder, args.dst)
    except (KeyError, ValueError, pickle.UnpicklingError) as error:
        raise SystemExit(f'error: {error.args[0]}') from None
    print(describe_dalle(checkpoint, args.dst))


if __name__ == '__main__':
    main()
