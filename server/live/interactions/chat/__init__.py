"""Show chat: the service (service.py), its moderation (moderation.py), its events (events.py) and the live
interaction (interaction.py)."""
