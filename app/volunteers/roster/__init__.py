"""The 平安员 roster: files in and out, the checks on each row, and the all-or-nothing import."""
