"""Public submissions: the mailbox form, uploads, fuzzing."""
