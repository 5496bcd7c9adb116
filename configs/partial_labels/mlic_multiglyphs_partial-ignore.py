# MLIC on MultiGlyphs trained on partial labels (docs/partial_labels.md): the
# README quick start's model and recipe (the SingleGlyphs-pretrained backbone,
# the recipe the MultiGlyphs protocol tuned for MLIC on validation, 10
# epochs, configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py), with
# a seeded protocol hiding training labels; unknown labels are left out of
# the classification loss ("ignore"), of the graph views and of the
# contrastive loss (only known positives are its anchors). Another protocol
# or proportion from the command line, e.g.
#   --cfg-options train_dataloader.dataset.known_proportion=0.5
# Evaluation uses the full test labels.
_base_ = ['../mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py']

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
