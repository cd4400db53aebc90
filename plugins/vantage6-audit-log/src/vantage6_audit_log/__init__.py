"""An audit log for the vantage6 server; the hooks are in :mod:`vantage6_audit_log.plugin`."""
