"""What the central function concludes from the partials: each value a partial received must
be the secret of the one peer it came from. A partial's secret reaches the server only in its
result, once it is done, so a partial that has it got it from the peer's container directly.
"""

from __future__ import annotations

from vantage6.algorithm.errors import AlgorithmError


def check_pairs(partials: list[dict]) -> dict:
    """``{"ok", "pairs", "partials"}``: a pair per partial and peer, ``ok`` when the partial
    received exactly the value that peer sent, and that no other partial sent."""
    if len(partials) < 2:
        raise AlgorithmError(
            f"the exchange needs at least two partials, not {len(partials)}: nothing crossed"
        )
    sent = {partial["organization_id"]: partial["sent"] for partial in partials}
    pairs = []
    for partial in partials:
        me = partial["organization_id"]
        # JSON made the organization ids of "received" text
        received = {int(id_): value for id_, value in partial["received"].items()}
        for peer in sorted(sent.keys() - {me}):
            value = received.get(peer)
            senders = [id_ for id_, secret in sent.items() if secret == value and id_ != me]
            pairs.append(
                {"organization_id": me, "peer": peer, "received": value, "ok": senders == [peer]}
            )
    return {"ok": all(pair["ok"] for pair in pairs), "pairs": pairs, "partials": partials}
