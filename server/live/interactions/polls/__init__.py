"""Polls: the host asks, viewers vote (one vote each), the bars move live, the final tally is exact."""
