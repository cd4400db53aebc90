"""The node's end of the VPN between algorithms: its tunnel to the server's hub
(:mod:`.overlay`), the firewall of its namespace (:mod:`.rules`), and which images ask for it
(:mod:`.ports`)."""
