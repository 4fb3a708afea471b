"""The volunteer programme in the panel: roster, personal links, clues, rewards, funds and figures."""
