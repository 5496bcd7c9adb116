# The Query2Label-style head on MultiGlyphs trained on partial labels
# (docs/partial_labels.md), unknown labels left out of the loss ("ignore"):
# the SingleGlyphs-pretrained backbone and the recipe the MultiGlyphs
# protocol tuned for this head on validation, 10 epochs
# (configs/query2label/q2l_singleglyphs-pre_multiglyphs-tuned-10e.py), with
# a seeded protocol hiding training labels. The same transformer as MLIC's
# without its graph network and contrastive loss: beside MLIC's configs it
# tells what those add. Another protocol or proportion from the command line,
# e.g. --cfg-options train_dataloader.dataset.known_proportion=0.5
_base_ = ['../query2label/q2l_singleglyphs-pre_multiglyphs-tuned-10e.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PartialLabelDataset',
        dataset={{_base_.train_dataloader.dataset}},
        # Durand et al. (CVPR 2019): 10 % of each image's labels known
        protocol='known_proportion',
        known_proportion=0.1,
        seed=0))
# These runs choose nothing (the recipe was chosen on the validation split
# with full labels): their one validation, after the last epoch, reads the
# test split, the figure the partial-label table reports.
val_dataloader = dict(dataset=dict(split='test'))

model = dict(head=dict(loss=dict(unknown_labels='ignore')))
