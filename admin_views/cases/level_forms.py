"""Forms of the case-page buttons for working across levels: 下派 and 收回, and a co-department's part."""

FORMS: dict = {}
