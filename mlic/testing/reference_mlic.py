"""MLIC (docs/method.md §1-2) written plainly, the way the reference
implementation computes it, with the module names of its released
checkpoints (``backbone.*``, ``query_embed``, ``attention``, ``net``,
``encoder.fc{1,2,3}_{w,u}``, ``fc``).

One module serves the converter test (a state dict laid out like a
released checkpoint, and the logits it must give after conversion), the
COCO doc-command scenario and
``.dev_scripts/benchmark_reference_step.py`` (the reference's step, timed
beside mlic's). It is deliberately not mlic's code:
a torchvision ResNet trunk, ``nn.Transformer`` fed sequence-first with the
label embedding repeated per image, the co-occurrence ``Linear`` on [F, g],
the gated GNN as six ``Linear`` layers called once per view, the
contrastive loss as a loop over images with one cross-entropy each.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class ResNetTrunk(nn.Module):
    """torchvision's ResNet without pooling and classifier, same names:
    (B, 3, H, W) -> (B, D, H/32, W/32)."""

    def __init__(self, depth: int):
        super().__init__()
        net = getattr(torchvision.models, f'resnet{depth}')(weights=None)
        for name in ('conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2',
                     'layer3', 'layer4'):
            setattr(self, name, getattr(net, name))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class GatedGraphSixLinear(nn.Module):
    """The gated GNN as six separate ``Linear`` layers: h (B, C, D) and the
    graph A (B, C, C) -> (B, C, D)."""

    def __init__(self, dim: int, num_steps: int):
        super().__init__()
        for name in ('fc1_w', 'fc1_u', 'fc2_w', 'fc2_u', 'fc3_w', 'fc3_u'):
            setattr(self, name, nn.Linear(dim, dim, bias=False))
        self.num_steps = num_steps

    def forward(self, h: torch.Tensor,
                adjacency: torch.Tensor) -> torch.Tensor:
        for _ in range(self.num_steps):
            m = torch.bmm(adjacency, h)
            z = torch.sigmoid(self.fc1_w(m) + self.fc1_u(h))
            r = torch.sigmoid(self.fc2_w(m) + self.fc2_u(h))
            cand = torch.tanh(self.fc3_w(m) + self.fc3_u(r * h))
            h = (1 - z) * h + z * cand
        return h


class PerLabelScorer(nn.Module):
    """One weight vector and bias per label: (B, C, W) -> (B, C)."""

    def __init__(self, num_classes: int, width: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_classes, width) * 0.02)
        self.bias = nn.Parameter(torch.randn(num_classes) * 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x * self.weight).sum(2) + self.bias


class ReferenceStyleMLIC(nn.Module):
    """MLIC computed as the reference computes it.

    ``forward(x)`` gives the logits (B, C) of images x (B, 3, H, W);
    ``losses(x, y)`` the asymmetric loss (reference scale: sum / (B C) x
    1000) and the contrastive loss for multi-hot targets y (B, C), every
    image with at least one present label.
    """

    def __init__(self,
                 num_classes: int,
                 depth: int = 101,
                 dim: int = 2048,
                 num_steps: int = 1,
                 gamma_neg: float = 1.0,
                 tau: float = 1.0,
                 dropout: float = 0.1,
                 num_encoder_layers: int = 2,
                 num_decoder_layers: int = 1,
                 ffn_dim: int = 2048,
                 num_heads: int = 8):
        super().__init__()
        self.backbone = ResNetTrunk(depth)
        self.query_embed = nn.Embedding(num_classes, dim)
        self.attention = nn.Transformer(
            d_model=dim,
            nhead=num_heads,
            num_encoder_layers=num_encoder_layers,
            num_decoder_layers=num_decoder_layers,
            dim_feedforward=ffn_dim,
            dropout=dropout)
        self.net = nn.Linear(2 * dim, num_classes)
        self.encoder = GatedGraphSixLinear(dim, num_steps)
        self.fc = PerLabelScorer(num_classes, 2 * dim)
        self.gamma_neg, self.tau = gamma_neg, tau

    def label_features(self, x: torch.Tensor):
        """Label features F (B, C, D) and the predicted graph A (B, C, C)."""
        tokens = self.backbone(x).flatten(2).permute(2, 0, 1)  # (N, B, D)
        g = tokens.mean(0)  # (B, D)
        queries = self.query_embed.weight.unsqueeze(1).repeat(1, x.size(0), 1)
        feats = self.attention(tokens, queries).permute(1, 0, 2)
        adjacency = torch.sigmoid(
            self.net(torch.cat([feats, g.unsqueeze(1).expand_as(feats)], -1)))
        return feats, adjacency

    def graph_and_logits(self, feats: torch.Tensor, adjacency: torch.Tensor):
        """The graph network's output H (B, C, D) and the logits (B, C)
        of the element-wise classifier on [F, H]."""
        graph = self.encoder(feats, adjacency)
        return graph, self.fc(torch.cat([feats, graph], -1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.graph_and_logits(*self.label_features(x))[1]

    def asymmetric_loss(self, logits: torch.Tensor,
                        y: torch.Tensor) -> torch.Tensor:
        p = torch.sigmoid(logits)
        loss = y * torch.log(p.clamp(min=1e-5)) + (1 - y) * torch.log(
            (1 - p).clamp(min=1e-5))
        with torch.no_grad():
            p_t = p * y + (1 - p) * (1 - y)
            w = torch.pow(1 - p_t, self.gamma_neg * (1 - y))
        return -(loss * w).sum() / logits.numel() * 1000

    def contrastive_loop(self, anchor, pos, neg, y) -> torch.Tensor:
        """Per image, over its k present labels: each anchor row against its
        positive view (the target), its negative view and the k - 1 other
        anchors; mean over images of each image's cross-entropy."""
        total = 0.0
        for i in range(anchor.size(0)):
            keep = y[i] == 1
            a, p, n = anchor[i][keep], pos[i][keep], neg[i][keep]
            k = a.size(0)
            logits = [(a * p).sum(-1, keepdim=True) / self.tau,
                      (a * n).sum(-1, keepdim=True) / self.tau]
            pairs = a @ a.t() / self.tau
            # drop the diagonal: (k, k) -> (k, k - 1)
            pairs = pairs.flatten()[1:].view(k - 1, k + 1)[:, :-1]
            logits.append(pairs.reshape(k, k - 1))
            logits = torch.cat(logits, -1)
            total = total + F.cross_entropy(logits,
                                            torch.zeros(k, dtype=torch.long))
        return total / anchor.size(0)

    def losses(self, x: torch.Tensor, y: torch.Tensor):
        feats, adjacency = self.label_features(x)
        graph, logits = self.graph_and_logits(feats, adjacency)
        both = torch.bmm(y.unsqueeze(-1), y.unsqueeze(1))
        with torch.no_grad():
            pos = self.encoder(feats, adjacency * both)
            neg = self.encoder(feats, adjacency * (1 - both))
        ctr = self.contrastive_loop(graph, pos, neg, y)
        return self.asymmetric_loss(logits, y), ctr
