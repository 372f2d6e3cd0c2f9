"""Which supplier a conversation speaks for: decided here, at the start of every turn.

The sender's linked supplier account comes first; without one, the supplier a trusted channel names
(`IncomingMessage.supplier_id`, set only by the web chat in demo mode). A link code redeemed during
the turn (`link_supplier`) sets it too.
"""

from __future__ import annotations

from dialogue.backend import Accounts, LinkResult
from dialogue.messages import IncomingMessage
from dialogue.session import Session


async def resolve_supplier(message: IncomingMessage, session: Session, accounts: Accounts) -> str | None:
    """Set and return `session.supplier_id` for this turn (None: the sender speaks for no supplier)."""
    linked = await accounts.linked_supplier(message.platform.value, message.sender.id)
    session.supplier_id = linked or message.supplier_id
    return session.supplier_id


async def link_supplier(
    code: str, message: IncomingMessage, session: Session, accounts: Accounts
) -> LinkResult:
    """Redeem a one-time link code for the sender; on success the conversation speaks for that supplier."""
    result = await accounts.redeem(code, message.platform.value, message.sender.id)
    if result.ok and result.supplier_id is not None:
        session.supplier_id = result.supplier_id
    return result
