import contextlib
from typing import Iterator

import torch
import torch.nn as nn

from mlic.registry import MODELS


@MODELS.register_module()
class LabelQueryTransformer(nn.Module):
    """Transformer that turns backbone tokens into one feature per label.

    This is PyTorch's ``nn.Transformer`` used as is (post-norm layers, ReLU
    FFN, a final LayerNorm after each stack), which is exactly what the MLIC
    reference computes, so its parameter names stay those of ``nn.Transformer``
    and reference checkpoints map onto it one to one. The encoder reads the
    tokens without positional encoding; the decoder's target sequence is a
    learned label embedding (``nn.Embedding``, N(0, 1) init), the same for
    every image. We use ``batch_first=True`` so no (N, B, D) transposes are
    needed; the parameter names do not depend on it.

    ``forward`` runs ``nn.Transformer``'s own encoder and decoder layers
    with one saving: the first decoder layer's self-attention reads the
    label embedding, which is the same for every image, so its projections
    and attention weights are computed once per batch instead of once per
    image, and its output projection is applied to the values before the
    per-image attention (see :meth:`label_self_attention`); in evaluation,
    where no dropout makes images differ, that whole sub-layer is computed
    once. With dropout off the output equals ``nn.Transformer(tokens,
    queries)`` up to float rounding
    (tests/test_models/test_mlic_fast_paths.py); with dropout on it is the
    same computation with other random masks.

    Args:
        num_classes (int): Number of labels C (decoder slots).
        embed_dims (int): Token width D.
        num_encoder_layers (int): Encoder depth. Defaults to 2.
        num_decoder_layers (int): Decoder depth. Defaults to 1.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_dim (int): FFN hidden size, 2048 whatever D is. Defaults to 2048.
        dropout (float): Dropout of every sub-layer. Defaults to 0.1.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int,
                 num_encoder_layers: int = 2,
                 num_decoder_layers: int = 1,
                 num_heads: int = 8,
                 ffn_dim: int = 2048,
                 dropout: float = 0.1):
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims={embed_dims} is not divisible by '
                             f'num_heads={num_heads}')
        self.label_embed = nn.Embedding(num_classes, embed_dims)
        self.transformer = nn.Transformer(
            d_model=embed_dims,
            nhead=num_heads,
            num_encoder_layers=num_encoder_layers,
            num_decoder_layers=num_decoder_layers,
            dim_feedforward=ffn_dim,
            dropout=dropout,
            activation='relu',
            norm_first=False,
            batch_first=True)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Args:
            tokens (Tensor): Backbone tokens, (B, N, D).

        Returns:
            Tensor: Label features F, (B, C, D).
        """
        memory = self.transformer.encoder(tokens)
        first, *others = self.transformer.decoder.layers
        queries = self.label_self_attention(first, tokens.size(0))
        queries = first.norm2(queries + first.dropout2(
            first.multihead_attn(queries, memory, memory, need_weights=False)
            [0]))
        queries = first.norm3(queries + first.dropout3(
            first.linear2(
                first.dropout(first.activation(first.linear1(queries))))))
        for layer in others:
            queries = layer(queries, memory)
        return self.transformer.decoder.norm(queries)

    @contextlib.contextmanager
    def record_cross_attention(self) -> Iterator[dict]:
        """Within the block, each forward pass stores the last decoder
        layer's cross-attention of the label queries over the tokens,
        averaged over heads, as ``weights`` (B, C, N) in the yielded dict.

        PyTorch's decoder layer calls its attention with
        ``need_weights=False``; a forward pre-hook turns the weights on for
        the calls inside the block only, so nothing is patched and the
        outputs are unchanged.
        """
        attn = self.transformer.decoder.layers[-1].multihead_attn
        captured = {}

        def want_weights(module, args, kwargs):
            return args, dict(
                kwargs, need_weights=True, average_attn_weights=True)

        def keep(module, args, output):
            captured['weights'] = output[1]

        handles = [
            attn.register_forward_pre_hook(want_weights, with_kwargs=True),
            attn.register_forward_hook(keep)
        ]
        try:
            yield captured
        finally:
            for handle in handles:
                handle.remove()

    def label_self_attention(self, layer: nn.TransformerDecoderLayer,
                             batch_size: int) -> torch.Tensor:
        """``norm1(E + dropout1(self_attn(E, E, E)))`` of a post-norm
        decoder layer whose target is the label embedding E, for a batch.

        Everything but dropout is the same for every image, so the in-
        projection and the attention weights S_h = softmax(Q_h K_h^T /
        sqrt(d)) are computed once; only the dropout masks are drawn per
        image. The output projection is associated with the values per
        head, sum_h P_h (V_h W_h^T) instead of [P_1 V_1, ...] W^T (W_h: the
        head's columns of W): V_h W_h^T is (C, D) and computed once, which
        turns the per-image (C x D)(D x D) product into a (C x H C)(H C x D)
        one, about a third of its work when C is small beside D (MS-COCO:
        C = 80, H C = 640, D = 2048). Without any dropout the result is
        computed once and expanded.

        Returns:
            Tensor: (B, C, D), possibly an expanded view.
        """
        attn = layer.self_attn
        embed = self.label_embed.weight  # (C, D)
        num_labels, dims = embed.shape
        heads = attn.num_heads
        head_dims = dims // heads
        qkv = nn.functional.linear(embed, attn.in_proj_weight,
                                   attn.in_proj_bias)
        # (C, 3D) -> three (heads, C, D / heads)
        q, k, v = qkv.view(num_labels, 3, heads, head_dims).permute(1, 2, 0, 3)
        weights = torch.softmax(
            torch.bmm(q, k.transpose(1, 2)) * head_dims**-0.5,
            dim=-1)  # (heads, C, C)
        if self.training and attn.dropout > 0:
            weights = nn.functional.dropout(
                weights.expand(batch_size, -1, -1, -1), attn.dropout)
        else:
            weights = weights.unsqueeze(0)
        rows = weights.size(0)
        # V_h W_h^T for every head: (heads, C, D) -> (heads * C, D)
        mapped = torch.bmm(
            v,
            attn.out_proj.weight.view(dims, heads,
                                      head_dims).permute(1, 2, 0)).reshape(
                                          heads * num_labels, dims)
        # (rows, heads, C, C) -> (rows * C, heads * C), keys of all heads
        weights = weights.transpose(1, 2).reshape(rows * num_labels,
                                                  heads * num_labels)
        out = torch.addmm(attn.out_proj.bias, weights,
                          mapped).view(rows, num_labels, dims)
        if self.training and layer.dropout1.p > 0:
            out = layer.dropout1(out.expand(batch_size, -1, -1))
        return layer.norm1(embed + out).expand(batch_size, -1, -1)
