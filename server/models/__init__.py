"""SQLModel tables and the API schemas that go in and out of them, by area."""

from server.models import commerce, stores  # noqa: F401  (registers the buying and store tables)
from server.models.common import Money, Schema
from server.models.core import (
    BlocklistIn,
    ChatMessage,
    LoginIn,
    MuteIn,
    PasswordIn,
    PinIn,
    Product,
    ProductIn,
    ProductPatch,
    RoleIn,
    Show,
    ShowIn,
    ShowMute,
    ShowProduct,
    StockAdjustIn,
    StockIn,
    TimelineEntry,
    User,
    Variant,
    VariantIn,
    chat_public,
    product_public,
    user_public,
)

__all__ = [
    "BlocklistIn", "ChatMessage", "LoginIn", "Money", "MuteIn", "PasswordIn", "PinIn", "Product", "ProductIn",
    "ProductPatch", "RoleIn", "Schema", "Show", "ShowIn", "ShowMute", "ShowProduct", "StockAdjustIn", "StockIn",
    "TimelineEntry", "User", "Variant", "VariantIn", "chat_public", "product_public", "user_public",
]
