"""Code shared by the server, the node, the client and the algorithm tools."""
