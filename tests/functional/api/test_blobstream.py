"""``/blobstream/status``: nodes, algorithm containers and clients ask whether to upload
inputs and results to blob storage; this server has none."""


def test_every_caller_is_told_blob_storage_is_off(api, root):
    world = api.federation()
    task = api.task(world["A"], [world["a1"]], world["a1"])
    node = api.node_login("key-a1-A")
    callers = [root, api.user("nobody", world["a1"]), node, api.container_login(node, task)]
    for headers in callers:
        # The original's client sends this content type (with no body) when it asks.
        asking = {**headers, "Content-Type": "application/octet-stream"}
        status = api.app.get("/api/blobstream/status", headers=asking).json
        assert status == {"blob_store_enabled": False}


def test_asking_needs_a_token(api):
    api.app.get("/api/blobstream/status", status=401)
