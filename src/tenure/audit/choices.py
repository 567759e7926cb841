"""What an audit event records."""

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    # Bulk writes (imports, the scoring run) bypass the per-row signals: one event
    # summarises them, with the number of rows.
    BULK_CREATE = "bulk_create", "Created in bulk"
    BULK_UPDATE = "bulk_update", "Changed in bulk"
    BULK_DELETE = "bulk_delete", "Deleted in bulk"
    # Personal data leaving Tenure (a person's data export): nothing changed, but who took
    # a copy of someone's data, and when, is part of the record.
    EXPORT = "export", "Exported"
