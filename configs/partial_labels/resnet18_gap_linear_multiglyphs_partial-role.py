# The partial-label baseline with regularised online label estimation (ROLE,
# Cole et al., CVPR 2021): a table of label estimates, one row per training
# scene, learns with the network; each supervises the other, and both are
# pulled towards k positives per image (3.58: the full training labels' mean,
# docs/datasets.md). The table trains at 10x the learning rate without weight
# decay, as in the paper. ROLE is made for single positive labels:
#   --cfg-options train_dataloader.dataset.protocol=single_positive
_base_ = ['./resnet18_gap_linear_multiglyphs_partial-ignore.py']

num_train_scenes = 5000  # the training split (the other 1,000 validate)

model = dict(
    head=dict(
        loss=dict(
            _delete_=True,
            type='RegularizedOnlineLabelEstimationLoss',
            num_samples=num_train_scenes,
            num_classes={{_base_.num_classes}},
            expected_positives=3.58)))

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'head.loss_module.label_logits':
        dict(lr_mult=10.0, decay_mult=0.0)
    }))
