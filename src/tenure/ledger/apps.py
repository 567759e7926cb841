from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tenure.ledger"
    label = "ledger"
    verbose_name = "Revenue ledger"
