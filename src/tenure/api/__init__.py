"""The REST API under ``/api/v1`` (django-ninja): routers per area, schemas, auth, errors."""
