from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenure.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Connected here, once every app's models are loaded, so the list of audited
        # models is complete; see ``recording.AUDITED_APPS``.
        from tenure.audit import recording

        recording.connect()
