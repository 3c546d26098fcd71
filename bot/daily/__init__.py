"""The daily round: schedules, the timer, posting, answering, the reveal, scoring, admin verbs."""
