"""Paths the vserver tests share."""

import sys
from pathlib import Path

VSERVER = Path(sys.executable).with_name("vserver")
REPO = Path(__file__).resolve().parents[3]
SEED_IMPORT = REPO / "etc" / "batch_import.yaml"
