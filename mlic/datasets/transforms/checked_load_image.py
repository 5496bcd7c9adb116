import io
from typing import Optional

import cv2
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
    """mmcv's ``LoadImageFromFile`` that also catches truncated JPEGs and
    oversized images, and can skip unreadable images during training while
    counting them.

    OpenCV decodes a JPEG cut short without complaint (the missing rows come
    out grey), so a truncated download would train silently on damaged
    pixels. Here a JPEG with no end-of-image marker after its image data is
    refused (bytes after that marker are ignored, as the decoders do). An
    image whose header announces more than ``max_pixels`` pixels is refused
    before it is decoded (the header is read with Pillow), so one huge file
    cannot exhaust memory in the decoder or, in a pipeline without a resize
    step, in the model. Any unreadable image, empty files and decoder errors
    included, raises :class:`UnreadableImageError` naming its path;
    with ``skip_unreadable=True`` it is logged with the running count of
    skipped images (per data worker) and ``None`` is returned, which makes
    mmengine's dataset draw another sample (training only: at test time
    mmengine refuses ``None``, so evaluation never silently shrinks).

    Args:
        skip_unreadable (bool): Skip instead of failing. Defaults to False.
        max_pixels (int, optional): Largest width x height accepted.
            Defaults to 40,000,000 (e.g. 8000 x 5000); ``None`` disables
            the check. Configs whose pipeline has no resize step set it to
            what the model can take.
        **kwargs: ``LoadImageFromFile`` arguments (``to_float32``,
            ``color_type``, ``imdecode_backend``, ``backend_args``).
    """

    def __init__(self,
                 skip_unreadable: bool = False,
                 max_pixels: Optional[int] = 40_000_000,
                 **kwargs):
        super().__init__(**kwargs)
        if max_pixels is not None and max_pixels < 1:
            raise ValueError(f'max_pixels must be >= 1, got {max_pixels}')
        self.skip_unreadable = skip_unreadable
        self.max_pixels = max_pixels
        self.num_skipped = 0

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            img = self._load(path)
        except (OSError, ValueError, AssertionError, cv2.error) as err:
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
        if not data:
            raise ValueError('the file is empty (0 bytes)')
        if data[:2] == b'\xff\xd8' and not jpeg_is_complete(data):
            raise ValueError('truncated JPEG (no end-of-image marker after '
                             'the image data)')
        if self.max_pixels is not None:
            self._check_pixels(image_size_from_header(data))
        img = mmcv.imfrombytes(
            data, flag=self.color_type, backend=self.imdecode_backend)
        if img is None:
            raise ValueError('not a decodable image')
        if self.max_pixels is not None:  # formats Pillow could not parse
            self._check_pixels(img.shape[1::-1])
        return img

    def _check_pixels(self, size: Optional[tuple]) -> None:
        if size is not None and size[0] * size[1] > self.max_pixels:
            raise ValueError(
                f'{size[0]} x {size[1]} pixels is over the limit of '
                f'{self.max_pixels} (max_pixels of CheckedLoadImageFromFile)')


def jpeg_is_complete(data: bytes) -> bool:
    """True if a JPEG's end-of-image marker follows its image data.

    Walks the marker segments from the start to the first start-of-scan,
    so an EXIF thumbnail's own markers are skipped, then looks for the EOI
    marker after it: inside entropy-coded data every 0xFF byte is stuffed,
    so FF D9 appears only as the real end. Bytes after EOI are allowed.
    """
    pos = 2
    size = len(data)
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            return False  # not at a marker: damaged header
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan
            return data.find(b'\xff\xd9', pos) != -1
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # no length field
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], 'big')
    return False


def image_size_from_header(data: bytes) -> Optional[tuple]:
    """(width, height) from an encoded image's header, without decoding it
    (Pillow reads only the header here); None if Pillow cannot parse it
    (the size is then checked after OpenCV decodes the image)."""
    from PIL import Image
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # our own limit applies, with our message
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Exception:  # noqa: BLE001 (any parse failure: OpenCV decides)
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = previous
