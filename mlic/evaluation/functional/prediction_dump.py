from mlic.utils import safe_pickle_load


def load_prediction_dump(path: str) -> dict:
    """The file ``tools/test.py CONFIG CKPT --out FILE.pkl`` writes, read
    with the allow-list unpickler: ``scores`` (N, C), ``targets`` (N, C),
    and when present ``ignore`` (N, C) bool and ``classes``."""
    data = safe_pickle_load(path)
    missing = {'scores', 'targets'} - set(data)
    if missing:
        raise KeyError(f'{path} has no {sorted(missing)}; make it with '
                       'tools/test.py CONFIG CKPT --out FILE.pkl')
    return data
