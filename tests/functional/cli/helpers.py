"""Paths the vserver and vnode tests share."""

import sys
from pathlib import Path

VSERVER = Path(sys.executable).with_name("vserver")
VNODE = Path(sys.executable).with_name("vnode")
REPO = Path(__file__).resolve().parents[3]
SEED_IMPORT = REPO / "etc" / "batch_import.yaml"
