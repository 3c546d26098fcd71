"""Solo practice with spaced repetition, and missed dailies coming back as cards."""
