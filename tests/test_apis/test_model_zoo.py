"""The model zoo: names, configs and weights from model-index.yml."""
import os

import pytest
import torch
import yaml

from mlic.apis import get_model, list_models
from ..test_tools.helpers import run_tool
from ..zoo_fixtures import CONFIG, publish


def test_zoo_entry_downloads_from_a_mirror(server, cache, tiny_model, tmp_path,
                                           monkeypatch):
    _, root, base = server
    name, digest = publish(root, tiny_model)
    zoo = tmp_path / 'zoo'
    zoo.mkdir()
    (zoo / 'model-index.yml').write_text(
        yaml.safe_dump(dict(Import=['metafile.yml'])))
    (zoo / 'metafile.yml').write_text(
        yaml.safe_dump(
            dict(Models=[
                dict(
                    Name='digits_private',
                    Config=CONFIG,
                    Weights=f'https://weights.example.invalid/v1/{name}',
                    Metadata={'Weights SHA256': digest})
            ])))
    monkeypatch.setenv('MLIC_MODEL_INDEX', str(zoo / 'model-index.yml'))
    monkeypatch.setenv('MLIC_MODEL_ZOO_BASE', base)
    assert list_models('digits*') == ['digits_private']
    model = get_model('digits_private')
    for key, value in tiny_model.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)

    # tools/test.py takes a URL checkpoint the same way (cached by now).
    code, out = run_tool(
        [
            'tools/test.py', CONFIG, f'{base}/{name}', '--work-dir',
            str(tmp_path / 't'), '--cfg-options'
        ] + [
            f'test_dataloader.dataset.data_root={tmp_path / "d"}',
            'test_dataloader.dataset.num_train=16',
            'test_dataloader.dataset.num_test=8',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False'
        ],
        env=dict(MLIC_HOME=os.environ['MLIC_HOME']))
    assert code == 0, out[-3000:]
    assert 'multi-label/mAP' in out


def test_repository_zoo_lists_every_config_and_says_when_no_weights():
    import glob
    import os.path as osp

    from mlic.apis.model_zoo import load_model_zoo
    from ..test_tools.helpers import REPO_ROOT

    # every config but the ablations (configs/mlic/ablations/) and the
    # list-file variants (the same models reading other files)
    configs = {
        p
        for p in glob.glob(osp.join(REPO_ROOT, 'configs', '*', '*.py'))
        if '_base_' not in p and not p.endswith('_list.py')
    }
    zoo = load_model_zoo()
    assert {e['Config'] for e in zoo.values()} == configs
    assert all(name == osp.splitext(osp.basename(e['Config']))[0]
               for name, e in zoo.items())
    names = list_models()
    assert len(names) == len(configs) == 55
    with pytest.raises(ValueError, match='no published weights'):
        get_model('mlic_coco')
    with pytest.raises(KeyError, match='not in the model zoo'):
        get_model('mlic_cocoa')
