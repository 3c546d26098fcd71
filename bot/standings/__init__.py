"""Leaderboards, seasons and champions, teams, and the best answers quoted at the reveal."""
