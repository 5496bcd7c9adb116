# Components resolve in mlic's registries first, then mmpretrain's/mmengine's.
default_scope = 'mlic'
# mmengine's Runner with a readable start-up log: the config goes to the work
# dir, not the console (print_config = True brings it back).
runner_type = 'QuietRunner'
print_config = False
# glibc keeps the memory a step frees for the next one instead of faulting
# it in again (QuietRunner; mlic.engine.runner.keep_freed_host_memory).
keep_freed_host_memory = True

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Keeps the last checkpoint and the best one by validation mAP, written
    # atomically, deleted only once replaced; RNG states for exact resume.
    checkpoint=dict(
        type='SafeCheckpointHook',
        interval=1,
        max_keep_ckpts=1,
        save_best='multi-label/mAP',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # In distributed runs: every rank validates and saves the same buffers
    # (BatchNorm statistics, EMA buffers), so validation measures the
    # checkpoint it selects.
    sync_buffers=dict(type='SyncAllBuffersHook'),
    # Fails before the first iteration if dataset and head disagree on C.
    num_class_check=dict(type='NumClassCheckHook'),
    # Fails before the first iteration if unknown labels (partial labels)
    # would be read as negatives, or reach an evaluation.
    unknown_label_check=dict(type='UnknownLabelCheckHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/ switch this to gloo by themselves on a machine without CUDA.
    # A rank that waits longer than `timeout` seconds for the others (a
    # stopped or hung worker) fails with an error instead of hanging.
    dist_cfg=dict(backend='nccl', timeout=1800),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
