"""Who may do what: roles, object permissions on accounts, and personal API tokens."""
