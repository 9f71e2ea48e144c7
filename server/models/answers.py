"""What the API answers: the bodies of its responses, as the OpenAPI document describes them (the routes build
plain dicts; tests/system/test_openapi.py checks every answer against these with schemathesis)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Answer):
    code: str
    message: str
    details: Any = None
    key: str | None = None


class ErrorAnswer(Answer):
    """Every refusal: a stable code, a sentence, and per-field `details` where they help."""

    error: ErrorDetail


class Price(Answer):
    amount: int
    currency: str


class VariantOut(Answer):
    id: str
    sku: str
    label: str
    available: int


class ProductOut(Answer):
    id: str
    seller_id: str
    title: str
    description: str
    brand: str
    price: Price
    images: list[str]
    size_guide: dict[str, Any] | None
    variants: list[VariantOut]


class Products(Answer):
    items: list[ProductOut]


class DealOut(Answer):
    id: str
    show_id: str
    product_id: str
    price: Price
    quantity: int
    sold: int
    remaining: int
    starts_at: str | None
    ends_at: str | None
    ends_at_ms: int
    ended: bool
    end_reason: str | None


class Host(Answer):
    id: str
    name: str


class ShowFields(Answer):
    """What a show and its card in a listing share."""

    id: str
    title: str
    status: Literal["scheduled", "live", "ended"]
    host: Host
    stream_url: str | None
    scheduled_at: str | None
    started_at: str | None
    ended_at: str | None
    buyer_limit: int


class GameOption(Answer):
    id: str
    text: str


class GameOut(Answer):
    """A poll, quiz or giveaway: the fields every game has, the kind's own (its question and options, its
    prize…), its live figures while it runs and its result once it has ended."""

    model_config = ConfigDict(extra="allow")
    id: str
    kind: Literal["poll", "quiz", "giveaway"]
    show_id: str
    status: Literal["running", "ended"]
    started_at: str | None
    ends_at: str | None
    ends_at_ms: int
    ended_at: str | None
    end_reason: str | None
    question: str | None = None
    options: list[GameOption] | None = None


class EntryOut(Answer):
    """A viewer's vote, answer or entry, taken: the game's id (poll_id, quiz_id, giveaway_id) and the entry's."""

    model_config = ConfigDict(extra="allow")
    entry_id: str
    option_id: str | None = None


class ProofOut(Answer):
    """A drawn giveaway's proof (README's "Giveaway draws anyone can check")."""

    giveaway_id: str
    commitment: str
    seed: str
    entries: list[str]
    winners: list[str]
    passed: list[str]
    algorithm: str


class ClaimPrize(Answer):
    product: ProductOut | None
    variant_id: str


class ClaimOut(Answer):
    """A giveaway prize's claim, as its link's holder reads it."""

    giveaway_id: str
    show_id: str
    prize: ClaimPrize
    winner_name: str | None
    status: Literal["offered", "claimed", "expired", "passed"]
    expires_at: str
    order_id: str | None


class GameList(Answer):
    interactions: list[GameOut]


class ShowOut(ShowFields):
    viewers: int
    products: list[ProductOut]
    pinned: ProductOut | None
    deal: DealOut | None
    interactions: list[GameOut]


class ShowCardProduct(Answer):
    id: str
    title: str
    image: str | None


class ShowCard(ShowFields):
    """A show in a listing: its public fields, its products' titles and first images."""

    products: list[ShowCardProduct]


class ShowPage(Answer):
    items: list[ShowCard]
    next_cursor: str | None


class SellableProduct(ProductOut):
    seller: Host


class SellableProducts(Answer):
    items: list[SellableProduct]


class Pinned(Answer):
    pinned: ProductOut | None


class TimelineEntryOut(Answer):
    kind: str
    product_id: str | None
    at: str | None


class Timeline(Answer):
    items: list[TimelineEntryOut]


class Sales(Answer):
    orders: int
    units: int
    buyers: int
    revenue: list[Price]
    viewers: int
    audience: int
    conversion: float | None


class OrderProduct(Answer):
    id: str
    title: str
    brand: str
    image: str | None


class OrderVariant(Answer):
    id: str
    label: str


class OrderBuyer(Answer):
    name: str
    email: str
    address: dict[str, Any]


class Delivery(Answer):
    min_days: int
    max_days: int
    earliest: str
    latest: str


class Payment(Answer):
    provider: str
    url: str | None
    declined_at: str | None  # when its payment was last declined: a pending order may still be paid


class Tracking(Answer):
    number: str
    carrier: str | None


class OrderOut(Answer):
    id: str
    status: Literal["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]
    quantity: int
    product: OrderProduct
    variant: OrderVariant
    unit_price: Price
    discount: Price
    total: Price
    show_id: str | None
    store_item_id: str | None
    deal_id: str | None
    buyer: OrderBuyer
    created_at: str | None
    expires_at: str | None
    paid_at: str | None
    shipped_at: str | None
    delivered_at: str | None
    cancelled_at: str | None
    refunded_at: str | None
    cancel_reason: str | None
    delivery: Delivery
    payment: Payment
    tracking: Tracking | None  # set when the seller ships it
    token: str | None = None  # to the buyer who placed it: the order link's token
    url: str | None = None


class Orders(Answer):
    items: list[OrderOut]
    next_cursor: str | None  # the `cursor` of the next page; null on the last


class SellerShow(Answer):
    id: str
    title: str
    status: Literal["scheduled", "live", "ended"]
    scheduled_at: str | None
    started_at: str | None


class SellerShows(Answer):
    items: list[SellerShow]


class VoucherUseOut(Answer):
    order_id: str
    created_at: str | None
    status: Literal["pending", "paid", "shipped", "delivered"]
    discount: Price
    total: Price


class VoucherUses(Answer):
    items: list[VoucherUseOut]


class VoucherState(Answer):
    code: str
    state: Literal["valid", "voucher_invalid", "voucher_expired", "voucher_exhausted"]


class QuoteOut(Answer):
    product_id: str
    variant_id: str
    quantity: int
    unit_price: Price
    subtotal: Price
    discount: Price
    total: Price
    currency: str
    deal_id: str | None
    voucher: VoucherState | None


class VoucherOut(Answer):
    id: str
    code: str
    kind: Literal["percent", "fixed"]
    value: int
    currency: str | None
    max_uses: int | None
    used: int
    max_per_buyer: int | None
    show_id: str | None
    expires_at: str | None


class Vouchers(Answer):
    items: list[VoucherOut]


class GrantedHost(Answer):
    id: str
    email: str
    name: str


class HostIds(Answer):
    host_ids: list[str]
    hosts: list[GrantedHost]


class StoreItemOut(Answer):
    id: str
    store_id: str
    product_id: str
    variant_id: str | None
    qr_url: str
    revoked: bool
    qr_png: str
    qr_svg: str


class StoreFields(Answer):
    id: str
    name: str
    address: str
    opens_on: str | None
    closes_on: str | None
    show_id: str | None
    created_at: str | None


class StoreOut(StoreFields):
    items: list[StoreItemOut]


class ItemStats(Answer):
    id: str
    product_id: str
    scans: int
    orders: int
    conversion: float | None
    revenue: Price


class StoreSummary(StoreFields):
    item_count: int  # items on sale


class Stores(Answer):
    items: list[StoreSummary]


class StoreStats(Answer):
    scans: int
    orders: int
    conversion: float | None
    revenue: Price
    devices: dict[str, int]
    items: list[ItemStats]


class CheckoutStore(Answer):
    id: str
    name: str
    address: str


class CheckoutItem(Answer):
    id: str
    variant_id: str | None


class CheckoutView(Answer):
    store: CheckoutStore
    item: CheckoutItem
    product: ProductOut


class UserOut(Answer):
    id: str
    email: str
    role: Literal["admin", "seller", "host"]
    name: str


class AccountOut(UserOut):
    created_at: str
    suspended_at: str | None  # suspended: no sign-in, no token works
    invited: bool  # invited, and has not chosen its password yet


class Accounts(Answer):
    items: list[AccountOut]


class TokenOut(Answer):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int  # seconds
    user: UserOut
    device_token: str


class Accepted(Answer):
    accepted: Literal[True]  # the request is taken; whatever follows is not told (a reset link)


class NewToken(Answer):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int  # seconds


class Me(UserOut):
    """The signed-in account (GET /api/auth/me)."""


class Words(Answer):
    words: list[str]


class Mutes(Answer):
    items: list[str]
    authors: list[str]


class Health(Answer):
    db: Literal["ok", "down"]
    bus: Literal["ok", "down"]


class WebhookAnswer(Answer):
    status: Literal["applied", "duplicate", "amount_mismatch", "refunded_late", "ignored", "unknown_payment"]
    order_id: str | None


class SandboxInfo(Answer):
    order_id: str
    payment_ref: str
    amount: int
    currency: str
    status: str
    order_url: str


class SandboxPaid(Answer):
    status: str
    order_id: str
    order_url: str
    webhook: str


class MediaOut(Answer):
    url: str
    width: int
    height: int
    content_type: str
    bytes: int
