"""Who someone is and what they may see: login, roles and department scoping, personal data, API keys."""
