"""Offline bilingual (German + English) question answering over a fixed document set.

Importing the package is cheap: no model, index or heavy library is loaded
here. The offline switches for Hugging Face libraries are set here so that no
code path of this package can reach for a model hub.
"""

from __future__ import annotations

import os

for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
