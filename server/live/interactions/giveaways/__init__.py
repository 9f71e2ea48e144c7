"""Giveaways: the host puts a prize up (its units taken from stock at the start), viewers enter with a name and an
email (never published), the server draws the winners with a commit-reveal anyone can check, and each winner
claims the prize as an order at price 0; an unclaimed prize passes on down the ranking."""
