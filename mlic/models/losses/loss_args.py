import math


def check_loss_args(loss, positive=(), **values) -> None:
    """Refuse loss arguments that would silently train the wrong thing.

    Every value must be a finite number >= 0 (a negative ``loss_weight``
    maximises the loss; a negative focusing ``gamma`` turns the focal
    weight upside down); names in ``positive`` must be > 0 (a temperature).

    Args:
        loss (str): The loss class, named in the message.
        positive (tuple[str]): Names that must be strictly positive.
        **values: name=value pairs from the config's loss dict.

    Raises:
        ValueError: naming the loss, the key and the value.
    """
    for name, value in values.items():
        bound = 0 if name in positive else None
        ok = isinstance(value, (int, float)) and math.isfinite(value) and (
            value > 0 if bound is not None else value >= 0)
        if not ok:
            need = '> 0' if bound is not None else '>= 0'
            raise ValueError(
                f'{loss}: {name} must be a finite number {need}, got '
                f'{value!r} (the {name} of this loss in the config)')
