import numpy as np

from mlic.utils import safe_pickle_load
from mlic.utils.errors import InputFileError


def load_prediction_dump(path: str) -> dict:
    """The file ``tools/test.py CONFIG CKPT --out FILE.pkl`` writes, read
    with the allow-list unpickler: ``scores`` (N, C), ``targets`` (N, C),
    and when present ``ignore`` (N, C) bool and ``classes``.

    Raises:
        InputFileError: the file is empty, cut, not a pickle, or not such a
            dump (keys, shapes); the message names the file.
    """
    data = safe_pickle_load(path)
    hint = 'make it with tools/test.py CONFIG CKPT --out FILE.pkl'
    if not isinstance(data, dict):
        raise InputFileError(f'{path} holds a {type(data).__name__}, not a '
                             f'prediction dump; {hint}')
    missing = {'scores', 'targets'} - set(data)
    if missing:
        raise InputFileError(f'{path} has no {sorted(missing)}; {hint}')
    shapes = {}
    for key in ('scores', 'targets', 'ignore'):
        if key not in data:
            continue
        try:
            array = np.asarray(data[key], dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InputFileError(f'{path}: {key} is not a numeric array '
                                 f'({err}); {hint}') from None
        if array.ndim != 2:
            raise InputFileError(f'{path}: {key} has shape {array.shape}, '
                                 f'expected (images, labels); {hint}')
        shapes[key] = array.shape
    if len(set(shapes.values())) > 1:
        raise InputFileError(f'{path}: the arrays disagree in shape '
                             f'({shapes}); {hint}')
    return data
