"""zope.sqlalchemy's session events, listened to once per session factory instead of once
per session.

``zope.sqlalchemy.register(session)`` adds seven listeners to each new session, and adding
them cost a request more than its identity check. Here the factory listens once, and each
event goes to the :class:`~zope.sqlalchemy.datamanager.ZopeTransactionEvents` kept in the
session's ``info``: the one of the request's transaction manager. A session made without one
(background work) joins no transaction, as before.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from zope.sqlalchemy.datamanager import ZopeTransactionEvents

ZOPE_EVENTS = "vantage6.zope_events"  # session.info key

# The events zope.sqlalchemy.register listens to, and how each finds its session.
_SESSION_FIRST = ("after_begin", "after_attach", "after_flush", "before_commit")
_SESSION_OF_CONTEXT = ("after_bulk_update", "after_bulk_delete", "do_orm_execute")


def with_transaction_manager(transaction_manager) -> dict:
    """The ``info`` that makes a new session commit or abort with ``transaction_manager``."""
    return {ZOPE_EVENTS: ZopeTransactionEvents(transaction_manager=transaction_manager)}


def join_transactions(factory: sessionmaker) -> None:
    for name in _SESSION_FIRST:
        event.listen(factory, name, _forward(name, lambda session, *_: session))
    for name in _SESSION_OF_CONTEXT:
        event.listen(factory, name, _forward(name, lambda context, *_: context.session))


def _forward(name: str, session_of):
    def forward(*args):
        events = session_of(*args).info.get(ZOPE_EVENTS)
        if events is not None:
            getattr(events, name)(*args)

    forward.__name__ = f"forward_{name}"
    return forward
