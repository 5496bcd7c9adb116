"""Loading checkpoints with ``torch.load(weights_only=True)``.

mmengine 0.10.x calls ``torch.load`` without ``weights_only``. Under
torch >= 2.6 that means ``weights_only=True`` with torch's default
allow-list, which refuses mmengine's own checkpoints (their ``message_hub``
holds ``HistoryBuffer`` objects wrapping numpy arrays), so resume and test
fail; under older torch it means full unpickling, which runs whatever code a
downloaded file carries. Here every load is ``weights_only=True`` with a
short allow-list of the plain data types mmengine checkpoints contain, and
mmengine's loaders for local and URL paths are replaced by ones that use it.
Nothing outside the allow-list is ever unpickled.

Saving is made safe too: mmengine's ``HistoryBuffer.__getstate__`` stores
its statistics *functions* (pickled as ``getattr`` calls, which no safe
loader may allow); mlic's version leaves them out, and mmengine's own
``__setstate__`` restores them on load. mmengine's ``OneCycleLR`` has the same
problem and is replaced in mlic's scope (``mlic.engine.schedulers``).
"""
import codecs
import collections
import io
import os
import os.path as osp
import pickle
import pickletools
import zipfile
from typing import IO, Any, List, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader
from mmengine.runner import checkpoint as mmengine_checkpoint

from .errors import InputFileError


def _numpy_globals() -> List[Any]:
    """numpy reconstruction helpers and dtype classes found in pickles."""
    items: List[Any] = [np.ndarray, np.dtype]
    # numpy 2 moved ``numpy.core`` to ``numpy._core``; pickles name either.
    for module_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            module = __import__(module_name, fromlist=['_reconstruct'])
        except ImportError:
            continue
        items += [module._reconstruct, module.scalar]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        items += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType') and not name.startswith('_')
        ]
    return items


#: Types that may appear in an mmengine/mlic checkpoint besides tensors and
#: Python builtins. Extend only with plain data types, never with callables
#: that have side effects.
_NUMPY_GLOBALS: List[Any] = _numpy_globals()
SAFE_GLOBALS: List[Any] = [HistoryBuffer] + _NUMPY_GLOBALS
_PICKLE_SAFE: List[Any] = _NUMPY_GLOBALS + [
    codecs.encode, collections.OrderedDict
]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list; nothing was run."""


class CheckpointReadError(RuntimeError):
    """A checkpoint file is empty, truncated or corrupt."""


def checkpoint_damage(path: str, full: bool = False) -> Optional[str]:
    """Why ``path`` is not a readable checkpoint, or None if it looks whole.

    ``torch.save`` writes zip archives whose directory sits at the end, so
    opening the archive catches empty and truncated files. ``full=True``
    also checks every member's CRC (reads the whole file), which catches
    damage in the middle. Files in torch's legacy (pre-zip) format cannot be
    checked and are reported whole.

    Args:
        path (str): Checkpoint file.
        full (bool): Also verify the CRCs. Defaults to False.

    Returns:
        str | None: The reason, e.g. ``'the file is empty'``.
    """
    try:
        size = os.path.getsize(path)
    except OSError as err:
        return f'cannot be read ({err.strerror})'
    if size == 0:
        return 'the file is empty'
    if not zipfile.is_zipfile(path):
        with open(path, 'rb') as f:
            head = f.read(2)
        # Legacy torch files start with a pickle protocol marker.
        if head[:1] == b'\x80' and head[1:2] in (b'\x02', b'\x03', b'\x04',
                                                 b'\x05'):
            return None
        return 'not a torch checkpoint archive (truncated or corrupt)'
    try:
        with zipfile.ZipFile(path) as archive:
            if not any(n.endswith('data.pkl') for n in archive.namelist()):
                return 'the archive holds no data.pkl'
            if full:
                bad = archive.testzip()
                if bad is not None:
                    return f'member {bad} fails its CRC check'
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return f'damaged archive ({err})'
    return None


def safe_torch_load(file: Union[str, IO[bytes]],
                    map_location: Any = None) -> Any:
    """``torch.load`` with ``weights_only=True`` and mlic's allow-list.

    Args:
        file (str | file-like): Checkpoint path or an open binary file.
        map_location: As in ``torch.load``.

    Raises:
        FileNotFoundError: ``file`` is a path that does not exist.
        CheckpointReadError: the file is empty, truncated or corrupt; the
            message names the file and what is wrong.
        UnsafeCheckpointError: the pickle references a type or function
            outside the allow-list; the message names the file and what
            was refused. Its payload is never executed.
    """
    name = file if isinstance(file, str) else getattr(file, 'name', '<stream>')
    if isinstance(file, str):
        if not osp.isfile(file):
            raise FileNotFoundError(f'checkpoint file not found: {file}')
        # torch does not check the archive's CRCs: a flipped block in the
        # middle would load as silently wrong weights.
        damage = checkpoint_damage(file, full=True)
        if damage is not None:
            raise CheckpointReadError(
                f'{file} is not a readable checkpoint (empty, truncated or '
                f'corrupt): {damage}')
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(
                file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        lines = str(err).splitlines()
        refused = [line.strip() for line in lines if 'GLOBAL' in line]
        if not refused and isinstance(file, str) and \
                not _is_wellformed_pickle(file):
            # Not a refused global but bytes that are no valid pickle.
            raise CheckpointReadError(
                f'{name} is not a readable checkpoint (empty, truncated or '
                'corrupt): its pickle data does not parse') from None
        detail = refused[0] if refused else next(
            (line.strip() for line in lines
             if 'Unsupported' in line or 'unsupported' in line), 'objects '
            'outside the allow-list')
        raise UnsafeCheckpointError(
            f'refused to load checkpoint {name}: it contains objects that '
            'are not plain tensors or data, and loading it could run code '
            'from the file; only plain tensors and data are loaded '
            f'({detail})') from None
    except (EOFError, RuntimeError, zipfile.BadZipFile) as err:
        if isinstance(err, RuntimeError) and not any(
                word in str(err)
                for word in ('zip', 'archive', 'stream', 'file')):
            raise
        raise CheckpointReadError(
            f'{name} is not a readable checkpoint (empty, truncated or '
            f'corrupt): {err}') from None


def _is_wellformed_pickle(path: str) -> bool:
    """Whether the checkpoint's (first) pickle parses, without running it.

    ``pickletools.genops`` only decodes opcodes; nothing is imported or
    called. For zip checkpoints the pickle is the archive's ``data.pkl``.
    """
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                member = next(n for n in archive.namelist()
                              if n.endswith('data.pkl'))
                data = archive.read(member)
        else:
            with open(path, 'rb') as f:
                data = f.read()
        for _ in pickletools.genops(io.BytesIO(data)):
            pass
        return True
    except Exception:  # noqa: BLE001 (any decoding failure means damaged)
        return False


_PICKLE_MODULES = ('numpy', 'numpy.core.multiarray', 'numpy._core.multiarray',
                   'numpy.dtypes', '_codecs', 'collections')


class _AllowListUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only allow-listed globals."""

    def find_class(self, module: str, name: str):
        if module in _PICKLE_MODULES:
            obj = getattr(__import__(module, fromlist=[name]), name, None)
            if obj is not None and any(obj is ok for ok in _PICKLE_SAFE):
                return obj
        raise UnsafeCheckpointError(
            f'refused to unpickle {module}.{name}: only plain arrays and '
            'containers are loaded')


def safe_pickle_load(path: str) -> Any:
    """Load a plain pickle (dicts, lists, numpy arrays) without running
    code: any other global in the file raises :class:`UnsafeCheckpointError`
    naming the file. For files like mlic's prediction dumps; checkpoints
    written by ``torch.save`` go through :func:`safe_torch_load`."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'file not found: {path}')
    with open(path, 'rb') as f:
        try:
            return _AllowListUnpickler(f).load()
        except UnsafeCheckpointError as err:
            raise UnsafeCheckpointError(f'{path}: {err}') from None
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError,
                IndexError, KeyError, AttributeError, OverflowError,
                UnicodeDecodeError) as err:
            # what the unpickler raises on empty, cut or foreign bytes
            reason = 'the file is empty' if osp.getsize(path) == 0 else \
                f'{type(err).__name__}: {err}'
            raise InputFileError(
                f'{path} is not a readable pickle (empty, truncated or not '
                f'a pickle): {reason}') from None


def _load_from_local(filename: str, map_location=None):
    return safe_torch_load(osp.expanduser(filename), map_location)


def _load_from_http(filename: str,
                    map_location=None,
                    model_dir=None,
                    progress=False):
    # Cached, atomic and hash-checked download (mlic.utils.download).
    from .download import download_checkpoint
    return safe_torch_load(download_checkpoint(filename), map_location)


def _history_buffer_state(self) -> dict:
    state = dict(self.__dict__)
    state.pop('statistics_methods', None)
    return state


#: mmengine versions whose internals the patches below were written for.
PATCHED_MMENGINE_VERSIONS = ('0.10.', )
_warned_versions = set()


def patch_mmengine_checkpoints() -> bool:
    """Make mmengine checkpoints weights_only-safe to save and load.

    Routes mmengine's local and http(s) checkpoint loading through
    :func:`safe_torch_load` and stops ``HistoryBuffer`` from pickling
    functions. Idempotent; called on ``import mlic``. Applied only to the
    mmengine versions in :data:`PATCHED_MMENGINE_VERSIONS`, whose internals
    (``HistoryBuffer``'s state, ``CheckpointLoader``'s schemes, the
    module-level ``load_from_http``) it relies on; on another version it
    changes nothing and warns once, naming the version.

    Returns:
        bool: Whether the patches are in place.
    """
    import warnings

    import mmengine
    version = mmengine.__version__
    if not version.startswith(PATCHED_MMENGINE_VERSIONS):
        if version not in _warned_versions:
            _warned_versions.add(version)
            warnings.warn(
                f'mlic patches mmengine {PATCHED_MMENGINE_VERSIONS} only; '
                f'mmengine {version} keeps its own checkpoint loading and '
                'saving (not weights_only-safe, and its checkpoints may not '
                'reload under torch >= 2.6)')
        return False
    HistoryBuffer.__getstate__ = _history_buffer_state
    # mmengine's torchvision://, open-mmlab:// and similar loaders call the
    # module-level load_from_http by name; point it at the safe one too.
    mmengine_checkpoint.load_from_http = _load_from_http
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), loader=_load_from_http, force=True)
    return True


class CheckpointMismatchError(ValueError):
    """A checkpoint whose weights do not fit the model it is loaded into."""


def state_dict_mismatch(model_state: dict,
                        checkpoint_state: dict,
                        limit: int = 5) -> Optional[str]:
    """What keeps ``checkpoint_state`` from fitting ``model_state``.

    Args:
        model_state (dict): The model's ``state_dict()`` (parameters and
            persistent buffers).
        checkpoint_state (dict): The checkpoint's state dict, keys already
            revised (``module.`` removed).
        limit (int): Keys named per kind.

    Returns:
        str | None: None when the keys and every shape agree, else a
        description naming the first ``limit`` missing keys, unexpected
        keys and differing shapes (checkpoint shape vs model shape).
    """
    missing = sorted(set(model_state) - set(checkpoint_state))
    unexpected = sorted(set(checkpoint_state) - set(model_state))
    shapes = []
    for key in sorted(set(model_state) & set(checkpoint_state)):
        ours = tuple(getattr(model_state[key], 'shape', ()))
        theirs = tuple(getattr(checkpoint_state[key], 'shape', ()))
        if ours != theirs:
            shapes.append(f'{key}: checkpoint {theirs} vs model {ours}')
    parts = []
    for what, items in (('missing from the checkpoint', missing),
                        ('unexpected in the checkpoint',
                         unexpected), ('with another shape', shapes)):
        if items:
            more = f' and {len(items) - limit} more' \
                if len(items) > limit else ''
            parts.append(f'{len(items)} keys {what}: ' +
                         '; '.join(items[:limit]) + more)
    return '. '.join(parts) if parts else None


def check_checkpoint_fits(model: torch.nn.Module, checkpoint_state: dict,
                          source: str) -> None:
    """Refuse a checkpoint that does not fit ``model``.

    The one rule every path that loads weights for evaluation or inference
    follows (``tools/test.py`` and ``load_from`` through
    :class:`~mlic.engine.runner.QuietRunner`, ``init_model``, the
    inferencer, ONNX export and the visual tools through ``init_model``):
    keys and shapes must match exactly. mmengine's loader only warns about
    missing keys, so a random network was scored as if trained.

    Raises:
        CheckpointMismatchError: naming ``source``, the first keys and both
            shapes, and how to load part of a file on purpose.
    """
    problem = state_dict_mismatch(model.state_dict(), checkpoint_state)
    if problem is not None:
        raise CheckpointMismatchError(
            f'{source} does not fit the model of the config: {problem}. '
            'Check that the checkpoint was trained with this config; to '
            'load part of it on purpose (fine-tuning), pass --cfg-options '
            'load_strict=False, or start the backbone from it with '
            "model.backbone.init_cfg=dict(type='Pretrained', checkpoint=...)")
