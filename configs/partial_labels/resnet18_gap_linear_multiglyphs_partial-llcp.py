# The partial-label baseline with large-loss permanent correction (LL-Cp,
# Kim et al., CVPR 2022): unknown labels are assumed negative; from the
# second epoch on the largest of their losses are scored as positives, 0.2 %
# of the batch's labels more each epoch, and a label corrected once stays a
# known positive of that scene (a table of corrections, one row per
# training scene, saved with the checkpoint).
_base_ = ['./resnet18_gap_linear_multiglyphs_partial-ignore.py']

num_train_scenes = 5000  # the training split (the other 1,000 validate)

model = dict(
    head=dict(
        loss=dict(
            _delete_=True,
            type='LargeLossPermanentCorrection',
            num_samples=num_train_scenes,
            num_classes={{_base_.num_classes}},
            delta_rel=0.002,
            loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0))))
