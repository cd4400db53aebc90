"""``/blobstream/status``: whether inputs and results go to blob storage. This server has none;
clients and nodes ask before they upload, and on ``false`` send them inline (encrypted as
usual) through ``/task`` and ``/run``."""

from __future__ import annotations

from vantage6.server.api.answers import BlobStoreStatus, answers
from vantage6.server.api.service import api_service

status = api_service("blob_stream_status", "/blobstream/status", traverse="/capabilities")


@status.get(
    permission="view",
    response_schemas=answers(200, BlobStoreStatus(), "Whether blob storage is on"),
)
def blob_store_status(request):
    return {"blob_store_enabled": False}
