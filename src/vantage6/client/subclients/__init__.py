"""The client's resource groups: ``client.user``, ``client.task``, ... (one module each)."""
