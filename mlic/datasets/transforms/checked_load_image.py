import io
from typing import Optional

import cv2
import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.logging import MMLogger

from mlic.registry import TRANSFORMS
from mlic.utils.errors import UnreadableImageError


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
            size = image_size_from_header(data)
            if size is None:
                # OpenCV decodes formats whose size nobody here can read
                # first; decoding them would allocate an unchecked size
                raise ValueError(
                    'the image size cannot be read from the file header '
                    '(not a PNG, JPEG, BMP, TIFF, WebP, GIF, Netpbm, PFM or '
                    'Radiance HDR header), so it is not decoded; set '
                    'max_pixels=None in CheckedLoadImageFromFile to decode '
                    'it unchecked')
            self._check_pixels(size)
        img = mmcv.imfrombytes(
            data, flag=self.color_type, backend=self.imdecode_backend)
        if img is None:
            raise ValueError('not a decodable image')
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
    """(width, height) from an encoded image's header, without decoding it;
    None if the header is not one read here.

    Pillow reads the header of the formats it knows (PNG, JPEG, BMP, TIFF,
    WebP, GIF, PPM/PGM, ...); three formats OpenCV decodes and Pillow does
    not are read here: PAM (``P7``), PFM (``PF``/``Pf``) and Radiance HDR
    (``#?RADIANCE``/``#?RGBE``), whose sizes are text in their first
    bytes.
    """
    from PIL import Image
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # our own limit applies, with our message
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Exception:  # noqa: BLE001 (any parse failure: try the others)
        pass
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    return _text_header_size(data[:4096])


def _text_header_size(head: bytes) -> Optional[tuple]:
    """(width, height) of a PAM, PFM or Radiance HDR header, else None."""
    text = head.decode('latin-1')
    if text.startswith('P7'):  # PAM: "WIDTH w" and "HEIGHT h" lines
        fields = dict(
            line.split(None, 1) for line in text.splitlines()[1:]
            if len(line.split(None, 1)) == 2)
        if fields.get('WIDTH', '').strip().isdigit() and \
                fields.get('HEIGHT', '').strip().isdigit():
            return int(fields['WIDTH']), int(fields['HEIGHT'])
        return None
    if text.startswith(('PF', 'Pf')):  # PFM: "PF", "w h", "scale"
        tokens = text[2:].split(None, 3)
        if len(tokens) >= 2 and tokens[0].isdigit() and tokens[1].isdigit():
            return int(tokens[0]), int(tokens[1])
        return None
    if text.startswith(('#?RADIANCE', '#?RGBE')):
        # header lines, a blank line, then the resolution "-Y h +X w"
        # (axis signs and order vary: any of the eight orientations)
        head_end = text.find('\n\n')
        if head_end < 0:
            return None
        tokens = text[head_end + 2:].split('\n', 1)[0].split()
        if len(tokens) == 4 and tokens[0] in ('-Y', '+Y', '-X', '+X') and \
                tokens[2] in ('-Y', '+Y', '-X', '+X') and \
                tokens[1].isdigit() and tokens[3].isdigit():
            first, second = int(tokens[1]), int(tokens[3])
            return (second, first) if 'Y' in tokens[0] else (first, second)
        return None
    return None


def image_from_array(array: np.ndarray) -> np.ndarray:
    """An image array as the (H, W, 3) uint8 BGR image the pipelines take,
    converted as OpenCV converts image *files* when it reads them in colour.

    - uint8: as it is; (H, W) and (H, W, 1) grey replicated to 3 channels;
      (H, W, 4) BGRA loses its alpha channel.
    - uint16 (a 16-bit image): its high byte, as OpenCV reads 16-bit PNGs
      and TIFFs (``value >> 8``).
    - float32/float64: values in [0, 1] are scaled by 255 and rounded;
      anything outside [0, 1] or not finite is refused (a float image in
      [0, 255] is ambiguous: convert it to uint8 first).

    Raises:
        ValueError: an empty array, another dtype, another shape, or float
            values outside [0, 1]; the message says which.
    """
    if not isinstance(array, np.ndarray):
        raise ValueError(f'expected a numpy array, got {type(array).__name__}')
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        pass
    elif array.ndim != 2:
        raise ValueError(f'an image array must be (H, W), (H, W, 1), '
                         f'(H, W, 3) BGR or (H, W, 4) BGRA, got shape '
                         f'{array.shape}')
    if array.size == 0:
        raise ValueError(f'the image array is empty (shape {array.shape})')
    if array.dtype == np.uint8:
        img = array
    elif array.dtype == np.uint16:
        img = (array >> 8).astype(np.uint8)
    elif array.dtype in (np.float32, np.float64):
        low, high = float(np.min(array)), float(np.max(array))
        if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or \
                high > 1:
            raise ValueError(
                f'a float image array must hold values in [0, 1], got '
                f'[{low:g}, {high:g}]; scale it, or convert it to uint8')
        img = np.rint(array * 255).astype(np.uint8)
    else:
        raise ValueError(f'an image array must be uint8, uint16 or float in '
                         f'[0, 1], got {array.dtype}')
    if img.ndim == 2:
        img = img[:, :, None]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    elif img.shape[2] == 4:
        img = img[:, :, :3]
    return np.ascontiguousarray(img)
