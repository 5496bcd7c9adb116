"""CheckedLoadImageFromFile: named errors, skipping, trailing JPEG bytes and
the pixel limit."""
import numpy as np
import pytest

from mlic.registry import TRANSFORMS


def test_checked_loader_refuses_truncated_and_garbage_images(tmp_path):
    import cv2

    from mlic.datasets.transforms import UnreadableImageError
    good = tmp_path / 'good.jpg'
    cv2.imwrite(str(good), np.full((60, 80, 3), 90, np.uint8))
    data = good.read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[:-200])
    (tmp_path / 'junk.png').write_bytes(b'not an image')
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    np.testing.assert_array_equal(
        load(dict(img_path=str(good)))['img'], cv2.imread(str(good)))
    for name in ('cut.jpg', 'junk.png', 'missing.jpg'):
        with pytest.raises(UnreadableImageError, match=name):
            load(dict(img_path=str(tmp_path / name)))

    skip = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', skip_unreadable=True))
    assert skip(dict(img_path=str(tmp_path / 'cut.jpg'))) is None
    assert skip(dict(img_path=str(tmp_path / 'junk.png'))) is None
    assert skip.num_skipped == 2


def test_checked_loader_names_empty_files_and_skips_them(tmp_path):
    from mlic.datasets.transforms import UnreadableImageError
    (tmp_path / 'empty.png').write_bytes(b'')
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    with pytest.raises(
            UnreadableImageError, match=r'empty.png: the file is empty'):
        load(dict(img_path=str(tmp_path / 'empty.png')))
    skip = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', skip_unreadable=True))
    assert skip(dict(img_path=str(tmp_path / 'empty.png'))) is None
    assert skip.num_skipped == 1


def test_checked_loader_accepts_bytes_after_the_jpeg_end(tmp_path):
    import cv2
    image = np.random.default_rng(0).integers(0, 255, (40, 50, 3), np.uint8)
    data = cv2.imencode('.jpg', image)[1].tobytes()
    # Camera firmware and editors append data after the end marker; and a
    # thumbnail's own end marker must not hide a cut main image.
    (tmp_path / 'tail.jpg').write_bytes(data + bytes(range(256)) * 20)
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    out = load(dict(img_path=str(tmp_path / 'tail.jpg')))['img']
    np.testing.assert_array_equal(
        out, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))

    from mlic.datasets.transforms.checked_load_image import jpeg_is_complete
    sos = data.find(b'\xff\xda')
    exif_thumb = data[:2] + b'\xff\xe1\x00\x06\xff\xd9\xff\xd9' + data[2:]
    assert jpeg_is_complete(exif_thumb)
    assert not jpeg_is_complete(exif_thumb[:sos + 8 + 100])


def test_checked_loader_refuses_oversized_images_before_decoding(
        tmp_path, monkeypatch):
    import cv2
    import mmcv

    from mlic.datasets.transforms import UnreadableImageError
    cv2.imwrite(str(tmp_path / 'big.png'), np.zeros((300, 400, 3), np.uint8))
    decoded = []
    real = mmcv.imfrombytes
    monkeypatch.setattr(mmcv, 'imfrombytes',
                        lambda *a, **k: decoded.append(1) or real(*a, **k))
    load = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', max_pixels=256 * 256))
    with pytest.raises(
            UnreadableImageError,
            match=r'big.png: 400 x 300 pixels is over the limit '
            r'of 65536'):
        load(dict(img_path=str(tmp_path / 'big.png')))
    assert not decoded
    no_limit = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', max_pixels=None))
    assert no_limit(dict(img_path=str(tmp_path / 'big.png')))['img'].shape \
        == (300, 400, 3)


def test_formats_pillow_cannot_parse_are_size_checked_before_decoding(
        tmp_path, monkeypatch):
    """An 8000 x 8000 Radiance HDR named .png was decoded by OpenCV before
    the limit applied (0.9 GB); now its header is read here, and a format
    whose size no header reader knows is not decoded at all."""
    import cv2
    import mmcv

    from mlic.datasets.transforms import UnreadableImageError
    from mlic.datasets.transforms.checked_load_image import \
        image_size_from_header
    small = np.random.default_rng(0).random((8, 12, 3)).astype(np.float32)
    for ext in ('.hdr', '.pfm', '.pam'):
        pixels = small if ext != '.pam' else (small * 255).astype(np.uint8)
        data = cv2.imencode(ext, pixels)[1].tobytes()
        assert image_size_from_header(data) == (12, 8), ext
    # a huge HDR header (the pixel data need not be there)
    huge_hdr = b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8000 +X 8000\n'
    (tmp_path / 'huge.png').write_bytes(huge_hdr + bytes(100))
    (tmp_path / 'huge.pam').write_bytes(
        b'P7\nWIDTH 9000\nHEIGHT 9000\nDEPTH 3\nMAXVAL 255\n'
        b'TUPLTYPE RGB\nENDHDR\n')
    (tmp_path / 'unknown.img').write_bytes(b'\x00\x01unknown' * 10)
    cv2.imwrite(str(tmp_path / 'ok.hdr'), small)
    decoded = []
    real = mmcv.imfrombytes
    monkeypatch.setattr(mmcv, 'imfrombytes',
                        lambda *a, **k: decoded.append(1) or real(*a, **k))
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    with pytest.raises(
            UnreadableImageError,
            match=r'huge.png: 8000 x 8000 pixels is over the limit'):
        load(dict(img_path=str(tmp_path / 'huge.png')))
    with pytest.raises(
            UnreadableImageError,
            match=r'huge.pam: 9000 x 9000 pixels is over the limit'):
        load(dict(img_path=str(tmp_path / 'huge.pam')))
    with pytest.raises(
            UnreadableImageError,
            match=r'unknown.img: the image size cannot be read from the '
            r'file header'):
        load(dict(img_path=str(tmp_path / 'unknown.img')))
    assert not decoded
    assert load(dict(img_path=str(tmp_path / 'ok.hdr')))['img'].shape == \
        (8, 12, 3)
