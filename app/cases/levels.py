"""Working across levels on a case: 下派 to a community and 收回, and each co-department's own part (协办)."""
