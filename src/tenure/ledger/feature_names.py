"""The names of the ledger's per-account features, apart from the Ibis expressions.

Pages read these names (the health panel's ledger columns); importing them from
`tenure.ledger.features` would load Ibis (0.2 s) in every `tenure` command.
"""

#: The revenue features of `tenure.ledger.features.account_features` that an account
#: snapshot keeps.
ACCOUNT_FEATURES = (
    "first_order_date",
    "last_order_date",
    "orders",
    "revenue_total",
    "revenue_t12m",
    "revenue_prev12m",
    "growth",
    "product_breadth",
    "avg_order_value",
    "median_interval_days",
    "returns_share",
    "days_since_last_order",
)
