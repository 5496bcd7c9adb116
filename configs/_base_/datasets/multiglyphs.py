# MultiGlyphs: 64 px cluttered scenes of 1-8 digits and capitals (30 labels)
# whose labels co-occur through 8 latent themes; generated on first use under
# data/multiglyphs (no download). No flip: mirrored glyphs are not glyphs.
_base_ = ['./multidigits.py']

dataset_type = 'MultiGlyphs'
data_root = 'data/multiglyphs'

train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
