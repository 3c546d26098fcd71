"""``python -m adapters`` runs the ``dailyq`` command (same as the console script)."""

from adapters.cli import main

main()
