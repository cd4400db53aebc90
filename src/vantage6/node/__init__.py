"""The vantage6 node: runs algorithms on local data for the tasks a server hands out.

The daemon (``daemon.py``) authenticates with its API key, listens to the server's
websocket (``events.py``), starts runs in a runtime (``runtime/``: Docker or plain
processes), offers running algorithms a proxy to the server (``proxy.py``) and reports
each run's outcome back. ``vnode start node.ini`` runs it (``cli/``).
"""
