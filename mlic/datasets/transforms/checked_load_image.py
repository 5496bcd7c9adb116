from typing import Optional

import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.logging import MMLogger

from mlic.registry import TRANSFORMS


class UnreadableImageError(IOError):
    """An image file is missing, truncated or not an image."""


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` that also catches truncated JPEGs, and
    can skip unreadable images during training while counting them.

    OpenCV decodes a JPEG cut short without complaint (the missing rows come
    out grey), so a truncated download would train silently on damaged
    pixels. Here a JPEG whose end-of-image marker is missing is refused. Any
    unreadable image raises :class:`UnreadableImageError` naming its path;
    with ``skip_unreadable=True`` it is logged with the running count of
    skipped images (per data worker) and ``None`` is returned, which makes
    mmengine's dataset draw another sample (training only: at test time
    mmengine refuses ``None``, so evaluation never silently shrinks).

    Args:
        skip_unreadable (bool): Skip instead of failing. Defaults to False.
        **kwargs: ``LoadImageFromFile`` arguments (``to_float32``,
            ``color_type``, ``imdecode_backend``, ``backend_args``).
    """

    def __init__(self, skip_unreadable: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.skip_unreadable = skip_unreadable
        self.num_skipped = 0

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            img = self._load(path)
        except (OSError, ValueError, AssertionError) as err:
            if not self.skip_unreadable:
                raise UnreadableImageError(
                    f'cannot read image {path}: {err}') from None
            self.num_skipped += 1
            MMLogger.get_current_instance().warning(
                f'skipped unreadable image {path} ({err}); '
                f'{self.num_skipped} skipped so far in this worker')
            return None
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def _load(self, path: str) -> np.ndarray:
        if self.file_client_args is not None:
            raise ValueError('file_client_args is not supported here; use '
                             'backend_args')
        data = fileio.get(path, backend_args=self.backend_args)
        if path.lower().endswith(('.jpg', '.jpeg')) and \
                b'\xff\xd9' not in data[-1024:]:
            raise ValueError('truncated JPEG (no end-of-image marker)')
        img = mmcv.imfrombytes(
            data, flag=self.color_type, backend=self.imdecode_backend)
        if img is None:
            raise ValueError('not a decodable image')
        return img
