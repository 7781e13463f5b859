"""Small plain CNNs (3x3 conv + BatchNorm + ReLU) that tract runs quickly on a CPU."""

from __future__ import annotations

import logging

import torch
from torch import nn

logger = logging.getLogger(__name__)


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Classifier(nn.Module):
    """Image classifier: strided stem, stages of conv blocks with max-pool, GAP, linear."""

    def __init__(
        self,
        widths: tuple[int, ...],
        classes: int,
        blocks: int | tuple[int, ...] = 2,
        in_channels: int = 1,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        layers: list[nn.Module] = [conv_bn(in_channels, widths[0], 2)]
        cin = widths[0]
        for i, w in enumerate(widths):
            if i > 0:
                layers.append(nn.MaxPool2d(2))
            for b in range(blocks if isinstance(blocks, int) else blocks[i]):
                layers.append(conv_bn(cin if b == 0 else w, w))
            cin = w
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.features(x)).flatten(1)
        return self.fc(self.dropout(x))


def view_model() -> Classifier:
    return Classifier((8, 16, 32, 48), classes=3, blocks=1)


def screw_model(classes: int = 3, scale: bool = False) -> Classifier:
    """With `scale`, a second input channel carries the crop's scale (`scale.py`)."""
    return Classifier(
        (24, 32, 48, 64), classes=classes, blocks=(1, 2, 2, 2), in_channels=2 if scale else 1
    )


def fuse(cin: int, cout: int) -> nn.Sequential:
    """1x1 projection of a concatenation followed by a 3x3 block."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        conv_bn(cout, cout),
    )


class Detector(nn.Module):
    """CenterNet-style detector: stride-4 output [heatmap(sigmoid), dx, dy, log w, log h],
    and with `pair` five more channels for a second screw under the same peak
    [pair(sigmoid), dx2, dy2, log w2, log h2] (`docs/contracts.md`)."""

    def __init__(self, w: tuple[int, ...] = (16, 32, 48, 64, 96), pair: bool = True) -> None:
        super().__init__()
        self.channels = 10 if pair else 5
        self.stem = nn.Sequential(conv_bn(1, w[0], 2), conv_bn(w[0], w[1], 2))
        self.down1 = nn.Sequential(conv_bn(w[1], w[2], 2), conv_bn(w[2], w[2]))
        self.down2 = nn.Sequential(conv_bn(w[2], w[3], 2), conv_bn(w[3], w[3]))
        self.down3 = nn.Sequential(conv_bn(w[3], w[4], 2), conv_bn(w[4], w[4]))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.fuse2 = fuse(w[4] + w[3], w[3])
        self.fuse1 = fuse(w[3] + w[2], w[2])
        self.fuse0 = fuse(w[2] + w[1], 24)
        self.head = nn.Conv2d(24, self.channels, 1)
        nn.init.constant_(self.head.bias, 0.0)
        with torch.no_grad():
            self.head.bias[0] = -2.19  # prior 0.1 for the heatmap
            if pair:
                self.head.bias[5] = -2.19

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        """Logits before the heatmap sigmoid (for a numerically stable loss)."""
        s4 = self.stem(x)
        s8 = self.down1(s4)
        s16 = self.down2(s8)
        s32 = self.down3(s16)
        f16 = self.fuse2(torch.cat([self.up(s32), s16], dim=1))
        f8 = self.fuse1(torch.cat([self.up(f16), s8], dim=1))
        f4 = self.fuse0(torch.cat([self.up(f8), s4], dim=1))
        return self.head(f4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.raw(x)
        if self.channels == 5:
            return torch.cat([torch.sigmoid(out[:, :1]), out[:, 1:]], dim=1)
        prob = torch.sigmoid(out[:, :1])
        pair = torch.sigmoid(out[:, 5:6])
        return torch.cat([prob, out[:, 1:5], pair, out[:, 6:]], dim=1)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
