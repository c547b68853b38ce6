# Copyright (c) mmir contributors. All rights reserved.
import os
import os.path as osp
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
# Copied into ``mmir/.mim`` so that ``_base_ = 'mmir::<path>'`` resolves.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def get_version() -> str:
    """Read the version from ``mmir/version.py`` without importing mmir."""
    scope = {}
    with open(osp.join(HERE, 'mmir', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname: str) -> list:
    """Read requirement lines, following ``-r`` includes."""
    requirements = []
    with open(osp.join(HERE, 'requirements', fname)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line.startswith('-r '):
                requirements += parse_requirements(line[3:].strip())
            elif line:
                requirements.append(line)
    return requirements


class BuildPyWithMim(build_py):
    """Also ship the configs and the ``mmir::`` start-up hook."""

    def run(self) -> None:
        super().run()
        mim = osp.join(self.build_lib, 'mmir', '.mim')
        shutil.rmtree(mim, ignore_errors=True)
        os.makedirs(mim)
        for name in MIM_FILES:
            src = osp.join(HERE, name)
            if osp.isdir(src):
                shutil.copytree(
                    src, osp.join(mim, name),
                    ignore=shutil.ignore_patterns('__pycache__'))
            else:
                shutil.copy(src, mim)
        self.copy_file(
            osp.join(HERE, 'mmir_scope.pth'),
            osp.join(self.build_lib, 'mmir_scope.pth'))


setup(
    name='mmir',
    version=get_version(),
    description='OpenMMLab plugin for self-supervised pre-training and '
    'dense prediction on infrared images',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(include=('mmir', 'mmir.*')),
    py_modules=['_mmir_scope'],
    include_package_data=True,
    python_requires='>=3.8',
    install_requires=parse_requirements('runtime.txt'),
    extras_require={
        'mim': parse_requirements('mminstall.txt'),
        'tests': parse_requirements('tests.txt'),
        'optional': parse_requirements('optional.txt'),
    },
    cmdclass={'build_py': BuildPyWithMim},
    zip_safe=False)
