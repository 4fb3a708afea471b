"""平安员 volunteers: the roster, personal links, clues and their triage, rewards within the fund."""
