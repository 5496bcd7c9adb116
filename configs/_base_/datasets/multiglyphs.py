# MultiGlyphs: 64 px cluttered scenes of 1-8 digits and capitals (30 labels)
# whose labels co-occur through 8 latent themes; generated on first use under
# data/multiglyphs (no download). No flip: mirrored glyphs are not glyphs.
_base_ = ['./multidigits.py']

dataset_type = 'MultiGlyphs'
data_root = 'data/multiglyphs'

# Training batches are loaded in the main process: a batch of 64 scenes
# takes about 14 ms, and on the 2-core machine the benchmark is sized for,
# two loader processes competing with the training threads cost more than
# that (MLIC T = 4: 490 against 465 ms per step, docs/benchmarks.md). The
# batches are the same either way. With cores to spare, pass
# train_dataloader.num_workers=2 train_dataloader.persistent_workers=True.
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
