"""CooccurrencePredictor's rows."""
import torch

from mlic.models import CooccurrencePredictor


def test_cooccurrence_predictor_rows():
    pred = CooccurrencePredictor(num_classes=3, embed_dims=4)
    feats, glob = torch.randn(2, 3, 4), torch.randn(2, 4)
    adj = pred(feats, glob)
    assert adj.shape == (2, 3, 3)
    row = torch.sigmoid(pred.fc(torch.cat([feats[1, 2], glob[1]])))
    torch.testing.assert_close(adj[1, 2], row)
