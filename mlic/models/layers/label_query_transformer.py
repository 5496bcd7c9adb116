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
        queries = self.label_embed.weight.unsqueeze(0).expand(
            tokens.size(0), -1, -1)
        return self.transformer(tokens, queries)
