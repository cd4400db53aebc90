"""Code shared by the server, the node, the client and the algorithm tools.

The names below are importable from here as the seeds' examples do
(``from vantage6.common import bytes_to_base64s, info, ...``).
"""

from vantage6.common.configdirs import check_config_write_permissions
from vantage6.common.console import debug, error, info, warning
from vantage6.common.encryption import base64s_to_bytes, bytes_to_base64s

__all__ = [
    "base64s_to_bytes",
    "bytes_to_base64s",
    "check_config_write_permissions",
    "debug",
    "error",
    "info",
    "warning",
]
