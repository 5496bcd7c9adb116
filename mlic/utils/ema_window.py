def momentum_for_run_share(horizon_share: float, max_iters: int) -> float:
    """The EMA momentum ``m`` whose window (about ``1 / m`` steps) is
    ``horizon_share`` of a run of ``max_iters`` steps:
    ``(1 / horizon_share) / max_iters`` (for 1/8: exactly
    ``8 / max_iters``), at most 1 (a run shorter than the window: the
    average is the current weights).

    One formula for :class:`~mlic.engine.hooks.RunLengthEMAHook`, the
    benchmarks' averaged model and the MultiGlyphs protocol tool's options.
    """
    return min(1.0, (1 / horizon_share) / max_iters)
