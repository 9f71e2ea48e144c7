"""`python -m bench`: the load benchmark. It starts Redis (or uses REDIS_URL), a database, Vitrine
with N workers and, for comparison, a naive baseline app; opens V viewer WebSockets from K client
processes, drives a show (pins, reactions, a checkout storm) and writes result.json and plot.png.

Modules: cli (options, the run), config (the figures a run is asked for), services (Redis, database,
server processes), scenario (the show, pins, the checkout storm), viewers (client worker processes),
baseline (the naive app), population (one measured run against one server), procstat (RSS and CPU
from /proc), stats (histograms and percentiles), report (table, JSON, PNG).
"""
