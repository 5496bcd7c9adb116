"""Safe checkpoint loading: mmengine checkpoints load, code-carrying and raw
pickles are refused, the mmengine patches are version-guarded."""
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import CheckpointLoader

from mlic.utils import UnsafeCheckpointError, safe_torch_load


class _WritesMarker:
    """Unpickling this object would create a marker file."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


def test_mmengine_style_checkpoint_loads(tmp_path):
    hub = MessageHub('ckpt-test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', np.float64(2.5))
    ckpt = dict(
        meta=dict(epoch=1, iter=10, seed=0),
        state_dict=dict(w=torch.ones(2)),
        message_hub=hub.state_dict(),
        extra=np.arange(3))
    path = str(tmp_path / 'ok.pth')
    torch.save(ckpt, path)
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    history = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(history, HistoryBuffer)
    # the statistics survive the weights-only load, values and functions
    assert history.data[0].tolist() == [1.5, 2.5]
    assert history.mean() == 2.0 and history.current() == 2.5
    np.testing.assert_array_equal(loaded['extra'], np.arange(3))
    assert loaded['meta'] == dict(epoch=1, iter=10, seed=0)
    torch.testing.assert_close(loaded['state_dict']['w'], torch.ones(2))


def test_code_carrying_checkpoint_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, payload=_WritesMarker(str(marker))), path)
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        safe_torch_load(path)
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(path)
    assert not marker.exists()


def test_raw_pickle_is_refused(tmp_path):
    marker = tmp_path / 'pwned2'
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps(_WritesMarker(str(marker))))
    with pytest.raises(UnsafeCheckpointError):
        safe_torch_load(str(path))
    assert not marker.exists()


def test_missing_checkpoint_names_path(tmp_path):
    missing = osp.join(str(tmp_path), 'nope.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        safe_torch_load(missing)
    assert not os.path.exists(missing)


def test_safe_pickle_load_reads_arrays_and_refuses_code(tmp_path):
    from mlic.utils import safe_pickle_load
    good = tmp_path / 'good.pkl'
    good.write_bytes(
        pickle.dumps(
            dict(
                scores=np.ones((2, 3), np.float32),
                targets=np.zeros((2, 3), bool),
                classes=['a']),
            protocol=2))
    data = safe_pickle_load(str(good))
    assert data['scores'].dtype == np.float32 and data['classes'] == ['a']
    marker = tmp_path / 'pwned3'
    bad = tmp_path / 'bad.pkl'
    bad.write_bytes(pickle.dumps(dict(x=_WritesMarker(str(marker)))))
    with pytest.raises(
            UnsafeCheckpointError,
            match=r'bad.pkl: refused to unpickle io.open'):
        safe_pickle_load(str(bad))
    assert not marker.exists()


def test_mmengine_patches_are_guarded_by_version(monkeypatch):
    import warnings

    import mmengine

    import mlic.utils.checkpoint as ckpt
    assert ckpt.patch_mmengine_checkpoints()  # the installed 0.10.x
    monkeypatch.setattr(mmengine, '__version__', '0.11.0')
    monkeypatch.setattr(ckpt, '_warned_versions', set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert not ckpt.patch_mmengine_checkpoints()
        assert not ckpt.patch_mmengine_checkpoints()  # warns once
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and 'mmengine 0.11.0' in messages[0]


def test_state_dict_mismatch_names_keys_and_both_shapes():
    from mlic.utils.checkpoint import (CheckpointMismatchError,
                                       check_checkpoint_fits,
                                       state_dict_mismatch)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    state = model.state_dict()
    assert state_dict_mismatch(state, dict(state)) is None
    check_checkpoint_fits(model, dict(state), 'ok.pth')  # fits: no error
    other = dict(state)
    other['1.bias'] = torch.zeros(5)
    del other['0.bias']
    other.update({f'extra.{i}': torch.zeros(1) for i in range(7)})
    text = state_dict_mismatch(state, other)
    assert '1 keys missing from the checkpoint: 0.bias' in text
    assert '7 keys unexpected in the checkpoint' in text
    assert 'extra.0; extra.1; extra.2; extra.3; extra.4 and 2 more' in text
    assert '1.bias: checkpoint (5,) vs model (2,)' in text
    with pytest.raises(
            CheckpointMismatchError,
            match=r'bad\.pth does not fit .* load_strict=False'):
        check_checkpoint_fits(model, other, 'bad.pth')
