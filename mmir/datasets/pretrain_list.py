# Copyright (c) mmir contributors. All rights reserved.
"""Base of the unlabeled pre-training datasets: a list of tagged paths."""
import os.path as osp
from typing import List, Optional, Sequence

from mmpretrain.datasets import BaseDataset

from .converters.pretrain_common import Entry
from .problems import raise_if_problems


class PretrainListDataset(BaseDataset):
    """Unlabeled images named by a list file, each tagged with its source.

    The list file (``ann_file``, relative to ``data_root``) holds one
    ``<source_tag> <relative/path>`` per line, as written by
    ``tools/dataset_converters/{msip,infmix}.py``; paths are relative to
    ``data_root`` (joined with ``data_prefix``).  Every sample has
    ``img_path`` and ``source``.  The tags allowed are
    ``metainfo['sources']``; a config may replace them (the SynthIR
    configs use ``metainfo=dict(sources=('synthir', ))``).

    Malformed lines, unknown tags and (with ``check_files``) missing images
    are all reported at once by a :class:`DatasetError` naming them.
    Checking costs one ``stat`` per image: about 2.3 us each on a local
    disk with a warm cache (2.3 s for 10^6 images), far more on a cold
    network file system, where ``check_files=False`` skips it.

    Args:
        ann_file (str): The list file.
        sources (Sequence[str], optional): Keep only these source tags.
            Defaults to None (all).
        keep_ratio (float): Keep every ``int(1 / keep_ratio)``-th sample of
            each source, counting from each source's first listed sample.
            PAD's ``--data_ratio`` takes every ``int(1 / r)``-th sample of
            the concatenated list of its chosen subsets (in ``os.listdir``
            order unless ``--spec_dataset`` names them), so a source that
            starts at position ``o`` keeps its samples ``j`` with
            ``(o + j) % step == 0``: other frames, a count that can differ
            by one per source, and a selection that depends on which
            subsets are chosen.  Thinning per source commutes with
            ``sources``; the two agree when the sources come in the same
            order and each starts at a multiple of the step.  PAD's
            official command leaves ``--data_ratio`` at 1.0, where both
            keep everything. Defaults to 1.0.
        check_files (bool): Whether to check that every image exists.
            Defaults to True.
        **kwargs: Other arguments of ``mmpretrain.datasets.BaseDataset``.
    """

    METAINFO = dict(sources=())

    def __init__(self,
                 ann_file: str,
                 sources: Optional[Sequence[str]] = None,
                 keep_ratio: float = 1.0,
                 check_files: bool = True,
                 **kwargs) -> None:
        if not 0 < keep_ratio <= 1:
            raise ValueError(f'keep_ratio must be in (0, 1], got '
                             f'{keep_ratio}')
        self.sources = None if sources is None else tuple(sources)
        self.keep_ratio = keep_ratio
        self.check_files = check_files
        super().__init__(ann_file=ann_file, **kwargs)

    def read_list(self) -> List[Entry]:
        """Parse the list file, reporting every bad line at once.

        Returns:
            List[Entry]: ``(source_tag, relative_path)`` pairs.
        """
        known = set(self.metainfo['sources'])
        entries, problems = [], []
        with open(self.ann_file) as f:
            for lineno, line in enumerate(f, start=1):
                parts = line.strip().split(maxsplit=1)
                where = f'{self.ann_file}:{lineno}'
                if len(parts) != 2:
                    problems.append(f'{where}: expected "<source> <path>", '
                                    f'got {line.strip()!r}')
                elif parts[0] not in known:
                    problems.append(f'{where}: unknown source {parts[0]!r}')
                else:
                    entries.append((parts[0], parts[1]))
        raise_if_problems(problems, self.what)
        return entries

    def select(self, entries: List[Entry]) -> List[Entry]:
        """Keep the chosen sources; subclasses may filter further.

        Args:
            entries (List[Entry]): All entries of the list.

        Returns:
            List[Entry]: The entries of ``self.sources``.
        """
        if self.sources is None:
            return entries
        unknown = set(self.sources) - set(self.metainfo['sources'])
        if unknown:
            raise ValueError(f'{self.what}: unknown sources '
                             f'{sorted(unknown)}; choose from '
                             f'{list(self.metainfo["sources"])}')
        return [e for e in entries if e[0] in self.sources]

    def thin(self, entries: List[Entry]) -> List[Entry]:
        """Keep every ``int(1 / keep_ratio)``-th entry of each source."""
        step = int(1 / self.keep_ratio)
        seen = dict.fromkeys(self.metainfo['sources'], 0)
        kept = []
        for entry in entries:
            if seen[entry[0]] % step == 0:
                kept.append(entry)
            seen[entry[0]] += 1
        return kept

    def load_data_list(self) -> List[dict]:
        """Read, select and thin the list; check its images.

        Returns:
            List[dict]: Samples with ``img_path`` and ``source``.
        """
        entries = self.thin(self.select(self.read_list()))
        prefix = self.data_prefix['img_path']
        data_list = [
            dict(img_path=osp.join(prefix, path), source=tag)
            for tag, path in entries
        ]
        if self.check_files:
            raise_if_problems([
                f'{d["img_path"]}: missing'
                for d in data_list if not osp.isfile(d['img_path'])
            ], self.what)
        return data_list

    @property
    def what(self) -> str:
        """The dataset and its list file, for error messages."""
        return f'{type(self).__name__} from {self.ann_file}'
