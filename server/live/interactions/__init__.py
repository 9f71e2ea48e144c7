"""The live interactions of a show, in the order they are listed: the socket's handler table, the show's
view and snapshot, the sweep, the hub's tick and the app's routes are built from this list
(server/services.py). Adding one: its module or package here, one line in `build`."""

from __future__ import annotations

from server.accounts.auth import Auth
from server.commerce.feed import CommerceFeed
from server.commerce.orders import Orders
from server.infra.db import Database
from server.live.interactions.base import Interaction
from server.live.interactions.buying import Buying
from server.live.interactions.chat.interaction import ChatInteraction
from server.live.interactions.chat.moderation import Moderation
from server.live.interactions.chat.service import Chat
from server.live.interactions.deals.interaction import DealsInteraction
from server.live.interactions.deals.service import Deals
from server.live.interactions.games.interaction import GamesInteraction
from server.live.interactions.games.kind import GameKind
from server.live.interactions.games.service import Games
from server.live.interactions.giveaways.interaction import GiveawayKind, Giveaways
from server.live.interactions.pinning import Pinning
from server.live.interactions.polls.interaction import Polls
from server.live.interactions.quizzes.interaction import Quizzes
from server.live.interactions.reactions import Reactions
from server.realtime.publisher import Publisher
from server.settings import Settings


def kinds(*, giveaway: GiveawayKind) -> list[GameKind]:
    """The kinds of games the show plays (a giveaway's kind holds its claims, built by the container)."""
    return [Polls.kind, Quizzes.kind, giveaway]


def build(*, settings: Settings, db: Database, publisher: Publisher, auth: Auth, chat: Chat, deals: Deals,
          orders: Orders, feed: CommerceFeed, played: Games) -> list[Interaction]:
    ballots = (Polls, Quizzes)
    games = GamesInteraction(games=played, auth=auth)
    return [
        Reactions(max_frame_bytes=settings.ws_max_frame_bytes, bus=publisher.bus),
        ChatInteraction(chat=chat, moderation=Moderation(db=db), auth=auth, history=settings.chat_history),
        Pinning(db=db, publisher=publisher, auth=auth, on_unpinned=deals.product_unpinned),
        Buying(orders=orders, feed=feed),
        DealsInteraction(deals=deals, auth=auth),
        games,
        *(ballot(games=games, auth=auth) for ballot in ballots),
        Giveaways(games=games, auth=auth, kind=played.kind(GiveawayKind)),
    ]
