"""Flash deals: the service (service.py), its events (events.py) and the live interaction (interaction.py)."""
