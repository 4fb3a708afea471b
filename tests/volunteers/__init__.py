"""The 平安员 roster, personal links, clues and rewards."""
