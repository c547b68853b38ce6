# Copyright (c) mmir contributors. All rights reserved.
"""InfMix, UNIP's pre-training mix: InfPre + ImageNet-1K subset + COCO."""
from typing import List, Optional, Sequence

from mmir.registry import DATASETS
from .pretrain_list import Entry, PretrainListDataset

INFMIX_SOURCES = ('infpre', 'in1k', 'coco')


@DATASETS.register_module()
class InfMixDataset(PretrainListDataset):
    """InfMix: InfPre, an ImageNet-1K subset and COCO train2017 (UNIP).

    InfPre holds 23 infrared datasets, the ImageNet-1K subset 200 images
    per class.  The dataset reads the list written by
    ``tools/dataset_converters/infmix.py``, which applies the selection
    rules.  Samples have ``img_path`` and ``source``.  UNIP converts every
    image to grayscale (ITU-R 601 luma, three identical channels): put
    ``dict(type='mmir.RGB2Gray')`` right after the loading transform.

    Args:
        infpre_datasets (Sequence[str], optional): Keep only these InfPre
            datasets (the folder above ``thermal/``), as the authors'
            ``--spec_dataset``; other sources are unaffected. Defaults to
            None (all).
        **kwargs: Other arguments of :class:`PretrainListDataset`.
    """

    METAINFO = dict(sources=INFMIX_SOURCES)

    def __init__(self,
                 infpre_datasets: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        self.infpre_datasets = infpre_datasets
        super().__init__(**kwargs)

    def select(self, entries: List[Entry]) -> List[Entry]:
        """Select sources, then InfPre datasets.

        Args:
            entries (List[Entry]): All entries of the list.

        Returns:
            List[Entry]: The selected entries.
        """
        entries = super().select(entries)
        if self.infpre_datasets is None:
            return entries
        found = {infpre_dataset(p) for t, p in entries if t == 'infpre'}
        unknown = set(self.infpre_datasets) - found
        if unknown:
            raise ValueError(f'{self.what}: InfPre datasets {sorted(unknown)}'
                             f' not in the list; it has {sorted(found)}')
        return [(t, p) for t, p in entries if t != 'infpre'
                or infpre_dataset(p) in self.infpre_datasets]


def infpre_dataset(path: str) -> str:
    """The InfPre dataset of a list path ``.../<dataset>/thermal/<file>``."""
    parts = path.replace('\\', '/').split('/')
    return parts[-3] if len(parts) >= 3 else ''
