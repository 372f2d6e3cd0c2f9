"""SQLAlchemy 2 models, one module per job; Alembic migrations in bot/migrations mirror them.

Importing this package registers every table on `Base.metadata` (what Alembic's env.py compares).
"""

from bot.storage.tables.base import Base, CleanString, CleanText, IdType, UTCDateTime, storable
from bot.storage.tables.business import (
    ApiBatchRow,
    CustomerIssueRow,
    CustomerRow,
    DataChangeRow,
    DataImportRow,
    InventoryChangeRow,
    InventoryRow,
    InvoiceRow,
    LinkCodeRow,
    NotificationRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierLinkRow,
    SupplierRow,
)
from bot.storage.tables.conversations import (
    ConversationRow,
    GeneratedFileRow,
    InboxRow,
    JobRunRow,
    OutboxRow,
    RejectedUpdateRow,
    TurnEventRow,
)
from bot.storage.tables.handoff import EscalationEventRow, EscalationRelayRow, EscalationRow

__all__ = [
    "ApiBatchRow",
    "Base",
    "CleanString",
    "CleanText",
    "ConversationRow",
    "CustomerIssueRow",
    "CustomerRow",
    "DataChangeRow",
    "DataImportRow",
    "EscalationEventRow",
    "EscalationRelayRow",
    "EscalationRow",
    "GeneratedFileRow",
    "IdType",
    "InboxRow",
    "InventoryChangeRow",
    "InventoryRow",
    "InvoiceRow",
    "JobRunRow",
    "LinkCodeRow",
    "NotificationRow",
    "OrderLineRow",
    "OrderRow",
    "OutboxRow",
    "ProductRow",
    "RejectedUpdateRow",
    "SupplierLinkRow",
    "SupplierRow",
    "TurnEventRow",
    "UTCDateTime",
    "storable",
]
