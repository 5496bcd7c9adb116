# MLIC on MultiGlyphs (configs/mlic/mlic_multiglyphs.py) trained on partial
# labels (docs/partial_labels.md): a seeded protocol hides training labels;
# unknown labels are left out of the classification loss ("ignore"), of the
# graph views and of the contrastive loss (only known positives are its
# anchors). Another protocol or proportion from the command line, e.g.
#   --cfg-options train_dataloader.dataset.known_proportion=0.5
# Evaluation uses the full test labels.
_base_ = ['../mlic/mlic_multiglyphs.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PartialLabelDataset',
        dataset={{_base_.train_dataloader.dataset}},
        # Durand et al. (CVPR 2019): 10 % of each image's labels known
        protocol='known_proportion',
        known_proportion=0.1,
        seed=0))

model = dict(head=dict(loss=dict(unknown_labels='ignore')))
