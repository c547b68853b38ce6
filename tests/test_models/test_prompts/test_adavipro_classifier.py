# Copyright (c) mmir contributors. All rights reserved.
"""AdaViProClassifier: the prompted image and the logits against direct
computations (CLIP and ImageClassifier), VP without the mask, deterministic
inference, and a training step that moves only the prompt and the mask
generator while the frozen model gets no gradient."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from mmir.models import AdaViProClassifier
from mmir.models.prompts import save_prototypes, text_prototypes
from mmir.models.utils import is_frozen
from mmir.registry import MODELS
from .test_clip_text import CLASSES, tiny_clip_cfg

SIZE, PATCH, REGION = 32, 16, 8
PROMPTER = dict(type='mmir.PadPrompter', image_size=SIZE, prompt_size=4)
MASK_GENERATOR = dict(
    type='mmir.RegionMaskGenerator', embed_dims=8, region_size=REGION)
# In mmpretrain's scope, as its own default data preprocessor is unscoped.
CLASSIFIER = dict(
    type='ImageClassifier',
    _scope_='mmpretrain',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(
            embed_dims=32, num_layers=1, num_heads=2,
            feedforward_channels=64),
        img_size=SIZE,
        patch_size=PATCH),
    neck=None,
    head=dict(
        type='LinearClsHead',
        num_classes=len(CLASSES),
        in_channels=32))


def build(classifier: dict, mask_generator=MASK_GENERATOR,
          **kwargs) -> AdaViProClassifier:
    torch.manual_seed(0)
    cfg = dict(
        type='mmir.AdaViProClassifier',
        classifier=classifier,
        prompter=PROMPTER,
        mask_generator=mask_generator,
        **kwargs)
    with DefaultScope.overwrite_default_scope('mmir'):
        model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    return model


def clip_cfg() -> dict:
    return tiny_clip_cfg(dict(type='OpenCLIPTokenizer'))


def images(seed: int = 1, batch: int = 3) -> torch.Tensor:
    return torch.randn(
        batch, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(seed))


def samples(labels) -> list:
    return [DataSample().set_gt_label(label) for label in labels]


def direct_mask(model: AdaViProClassifier, x: torch.Tensor) -> torch.Tensor:
    """Eval mask: the argmax of the region logits, each region repeated
    over its pixels."""
    logits = model.mask_generator.region_logits(model.edge_detector(x))
    on = (logits.argmax(1, keepdim=True) == 1).float()
    return on.repeat_interleave(REGION, 2).repeat_interleave(REGION, 3)


def test_prompted_image_is_prompt_times_dilated_mask():
    model = build(CLASSIFIER).eval()
    x = images()
    mask = direct_mask(model, x)
    expected = x + model.prompter.prompt() * mask
    torch.testing.assert_close(model.prompted(x), expected)


def test_vp_adds_the_whole_prompt():
    model = build(CLASSIFIER, mask_generator=None).eval()
    x = images()
    torch.testing.assert_close(model.prompted(x),
                               x + model.prompter.prompt())
    assert not hasattr(model, 'edge_detector')


def test_image_classifier_logits_are_its_own():
    model = build(CLASSIFIER).eval()
    x = images()
    with torch.no_grad():
        expected = model.classifier(model.prompted(x), mode='tensor')
        torch.testing.assert_close(model(x, mode='tensor'), expected)


def test_clip_logits_are_scaled_cosines_with_prototypes():
    model = build(clip_cfg()).eval()
    x = images()
    with torch.no_grad():
        feats = model.classifier.extract_image_feat(model.prompted(x))
        # VP's refined names: 'maple_tree' reads 'maple tree'
        names = [c.replace('_', ' ') for c in CLASSES]
        protos = text_prototypes(model.classifier, names,
                                 ('This is a photo of a {}', ))
        expected = model.classifier.logit_scale.exp() * F.normalize(
            feats, dim=-1) @ protos.t()
        torch.testing.assert_close(model(x, mode='tensor'), expected)


def test_class_names_and_prototype_file(tmp_path):
    model = build(clip_cfg(), class_names=['dog', 'car', 'tree'])
    with torch.no_grad():
        protos = text_prototypes(model.classifier, ['dog', 'car', 'tree'],
                                 ('This is a photo of a {}', ))
    torch.testing.assert_close(model.class_prototypes(), protos)
    names = tmp_path / 'names.txt'
    names.write_text('dog\ncar\ntree\n')
    path = str(tmp_path / 'protos.pth')
    save_prototypes(path, 2 * protos, ['dog', 'car', 'tree'])
    from_file = build(clip_cfg(), class_names=str(names), prototypes=path)
    torch.testing.assert_close(from_file.class_prototypes(), 2 * protos)
    wrong = build(clip_cfg(), prototypes=path)  # the config's CLASSES
    with pytest.raises(ValueError, match='dog'):
        wrong.class_prototypes()


def test_class_names_of_a_dataset_refined_as_vp():
    from mmpretrain.datasets import OxfordIIITPet
    model = build(clip_cfg(), class_names='OxfordIIITPet')
    names = model.clip_class_names()
    classes = OxfordIIITPet.METAINFO['classes']
    assert len(names) == len(classes)
    assert any('_' in c for c in classes)
    for name, raw in zip(names, classes):
        assert name == raw.lower().replace('_', ' ').replace('-', ' ')
    missing = build(clip_cfg(), class_names='no_such_file.txt')
    with pytest.raises(FileNotFoundError, match='no_such_file'):
        missing.clip_class_names()


def test_inference_is_deterministic():
    model = build(clip_cfg()).eval()
    x = images()
    first = model(x, mode='predict')
    second = model(x, mode='predict')
    for a, b in zip(first, second):
        assert torch.equal(a.pred_score, b.pred_score)
        assert a.pred_label == a.pred_score.argmax()


@pytest.mark.parametrize('kind', ['clip', 'image_classifier'])
def test_training_moves_only_prompt_and_mask_generator(kind):
    model = build(clip_cfg() if kind == 'clip' else CLASSIFIER)
    model.train()
    assert is_frozen(model.classifier) and not model.classifier.training
    before = {k: v.clone() for k, v in model.state_dict().items()}
    wrapper = OptimWrapper(
        torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                        lr=1.0, momentum=0.9))
    losses = model(images(), samples([0, 1, 2]), mode='loss')
    assert set(losses) == {'loss', 'prompt_on'}
    assert 0 <= losses['prompt_on'] <= 1
    wrapper.update_params(losses['loss'])
    for name, param in model.classifier.named_parameters():
        assert param.grad is None, name
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed
    assert all(k.startswith(('prompter.', 'mask_generator.'))
               for k in changed), changed
    assert any(k.startswith('mask_generator.') for k in changed)
    assert any(k.startswith('prompter.') for k in changed)


def test_classifier_checkpoint_loads_strictly_after_initialisation(tmp_path):
    trained = build(CLASSIFIER).classifier
    state = {k: v + 1.0 for k, v in trained.state_dict().items()}
    path = str(tmp_path / 'classifier.pth')
    torch.save({'state_dict': state}, path)
    model = build(CLASSIFIER, classifier_checkpoint=path)
    for key, value in model.classifier.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert is_frozen(model.classifier)
    del state['head.fc.weight']
    torch.save({'state_dict': state}, path)
    with pytest.raises(KeyError, match='head.fc.weight'):
        build(CLASSIFIER, classifier_checkpoint=path)
