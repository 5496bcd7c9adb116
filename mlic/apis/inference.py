"""One-call prediction: :func:`inference_model`."""
import os.path as osp
from typing import List, Sequence, Union

import numpy as np

from .multilabel_inferencer import MultiLabelInferencer

ImageInput = Union[str, np.ndarray]


def inference_model(model,
                    images: Union[ImageInput, Sequence[ImageInput]],
                    threshold: Union[float, np.ndarray, str] = 0.5,
                    batch_size: int = 16) -> Union[dict, List[dict]]:
    """Predict the labels of one image or a list of images; a thin call of
    :class:`~mlic.apis.MultiLabelInferencer` (same preprocessing, same
    result schema), in this process, raising on the first input it cannot
    read.

    Args:
        model: From :func:`init_model` or :func:`get_model`.
        images: A path, an image ``ndarray`` (BGR (H, W, 3) uint8, or as
            :func:`~mlic.datasets.transforms.image_from_array` converts),
            a folder or a glob, or a list of them.
        threshold (float | ndarray | str): A score threshold, one per label
            (C,), or the JSON file written by
            ``tools/analysis_tools/eval_metric.py --search-thresholds``.
        batch_size (int): Images per forward pass.

    Returns:
        dict | list[dict]: Per image, as the inferencer gives it:
        ``pred_scores`` (all C scores, ndarray), ``pred_labels`` (the label
        indices at or above the threshold, highest score first),
        ``pred_classes`` (their names), ``img_path`` (None for an array)
        and ``error`` (None). A list when ``images`` is a list.

    Raises:
        ValueError: an input that cannot be read (the message says which
            and why; the inferencer reports it per image instead).
    """
    # one file or one array gives one dict; a folder or a glob a list
    single = isinstance(images, np.ndarray) or (isinstance(images, str)
                                                and osp.isfile(images))
    inferencer = MultiLabelInferencer(model, num_workers=0)
    results = inferencer(
        images,
        batch_size=batch_size,
        threshold=threshold,
        show_progress=False)
    for index, result in enumerate(results):
        if result['error']:
            where = result['img_path'] or f'image {index}'
            raise ValueError(f'{where}: {result["error"]}')
    return results[0] if single else results
