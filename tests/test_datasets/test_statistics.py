"""label_statistics on a labelling whose counts are known."""
import numpy as np

from mlic.datasets.statistics import dataset_label_statistics, label_statistics


def test_label_statistics_counts_everything_once():
    stats = label_statistics([[0, 2], [2], [], [0, 1, 2]], num_classes=3)
    np.testing.assert_array_equal(stats['targets'],
                                  [[1, 0, 1], [0, 0, 1], [0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(stats['labels_per_image'], [2, 1, 0, 3])
    np.testing.assert_array_equal(stats['count_histogram'], [1, 1, 1, 1])
    np.testing.assert_array_equal(stats['frequency'], [2, 1, 3])
    np.testing.assert_array_equal(stats['cooccurrence'],
                                  [[2, 1, 2], [1, 1, 1], [2, 1, 3]])
    # P(column | row): label 1 always comes with 0 and 2
    np.testing.assert_allclose(stats['conditional'][1], [1, 1, 1])
    np.testing.assert_allclose(stats['conditional'][2], [2 / 3, 1 / 3, 1])


def test_dataset_label_statistics_reads_get_cat_ids_only():

    class Labels:

        def __len__(self):
            return 2

        def get_cat_ids(self, i):
            return [[1], [0, 1]][i]

        def __getitem__(self, i):
            raise AssertionError('no image may be read')

    stats = dataset_label_statistics(Labels(), 2)
    np.testing.assert_array_equal(stats['frequency'], [1, 2])
