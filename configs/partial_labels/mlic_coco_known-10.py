# MLIC on MS-COCO 2014 with 10 % of each training image's labels known
# (Durand et al., CVPR 2019), unknown labels left out of the loss, the graph
# views and the contrastive loss (docs/partial_labels.md). Evaluation uses
# the full val2014 labels. Other proportions:
#   --cfg-options train_dataloader.dataset.known_proportion=0.5
_base_ = ['../mlic/mlic_coco.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PartialLabelDataset',
        dataset={{_base_.train_dataloader.dataset}},
        protocol='known_proportion',
        known_proportion=0.1,
        seed=0,
        # the labels drawn, readable by LabelListDataset ('?' = unknown)
        record_file='work_dirs/mlic_coco_known-10/train_labels.txt'))

model = dict(head=dict(loss=dict(unknown_labels='ignore')))
