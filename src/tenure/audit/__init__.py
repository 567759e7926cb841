"""The audit trail: who changed which CRM record, when, from what to what."""
