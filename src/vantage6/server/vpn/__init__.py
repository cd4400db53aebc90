"""The VPN between the algorithm containers of a job: its settings, the state the hub reads
from the database, and the hub itself (WireGuard, beside the server)."""
