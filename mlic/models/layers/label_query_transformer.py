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
    label embedding, which is the same for every image, so its query, key
    and value projections are computed once for the batch instead of once
    per image (a third of the decoder's matmul work at B = 8); in
    evaluation, where no dropout makes images differ, that whole sub-layer
    is computed once. With dropout off the output equals
    ``nn.Transformer(tokens, queries)`` up to float rounding
    (tests/test_models/test_label_query_transformer.py); with dropout on
    it is the same computation with other random masks.

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

    def label_self_attention(self, layer: nn.TransformerDecoderLayer,
                             batch_size: int) -> torch.Tensor:
        """``norm1(E + dropout1(self_attn(E, E, E)))`` of a post-norm
        decoder layer whose target is the label embedding E, for a batch.

        The in-projection of E is done once; only attention dropout, which
        draws a mask per image, runs per image. Without any dropout the
        result is computed once and expanded.

        Returns:
            Tensor: (B, C, D), possibly an expanded view.
        """
        attn = layer.self_attn
        embed = self.label_embed.weight  # (C, D)
        num_labels, dims = embed.shape
        heads = attn.num_heads
        qkv = nn.functional.linear(embed, attn.in_proj_weight,
                                   attn.in_proj_bias)
        # (C, 3D) -> three (1, heads, C, D / heads)
        q, k, v = qkv.view(1, num_labels, 3 * heads,
                           dims // heads).transpose(1, 2).chunk(
                               3, dim=1)
        attn_dropout = attn.dropout if self.training else 0.0
        out_dropout = layer.dropout1.p if self.training else 0.0
        rows = batch_size if attn_dropout > 0 else 1
        if rows > 1:
            q, k, v = (t.expand(rows, -1, -1, -1) for t in (q, k, v))
        out = nn.functional.scaled_dot_product_attention(
            q, k, v, dropout_p=attn_dropout)  # (rows, heads, C, D / heads)
        out = attn.out_proj(
            out.transpose(1, 2).reshape(rows, num_labels, dims))
        if out_dropout > 0:
            out = layer.dropout1(out.expand(batch_size, -1, -1))
        return layer.norm1(embed + out).expand(batch_size, -1, -1)
