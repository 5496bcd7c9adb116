# The Query2Label-style head on MultiGlyphs trained on partial labels, unknown
# labels left out of the loss (docs/partial_labels.md).
_base_ = ['../query2label/q2l_multiglyphs.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PartialLabelDataset',
        dataset={{_base_.train_dataloader.dataset}},
        protocol='known_proportion',
        known_proportion=0.1,
        seed=0))

model = dict(head=dict(loss=dict(unknown_labels='ignore')))
