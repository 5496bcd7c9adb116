"""Stand-ins for the datasets that hooks read."""


class LabelledDataset:
    """Only what the hooks read: labels per image and the class names."""

    def __init__(self, labels, classes):
        self.labels = labels
        self.metainfo = dict(classes=classes)

    def __len__(self):
        return len(self.labels)

    #: full labels (mlic.datasets.unknown_labels.count_unknown_labels)
    num_unknown_labels = 0

    def get_cat_ids(self, i):
        return self.labels[i]


class PartlyLabelledDataset(LabelledDataset):
    """``LabelledDataset`` with unknown labels per image, read through
    ``get_data_info`` as the partial-label code reads them."""

    def __init__(self, labels, classes, unknown):
        super().__init__(labels, classes)
        self.unknown = unknown
        self.num_unknown_labels = sum(len(u) for u in unknown)

    def get_data_info(self, i):
        info = dict(gt_label=list(self.labels[i]))
        if self.unknown[i]:
            info['gt_label_unknown'] = list(self.unknown[i])
        return info
