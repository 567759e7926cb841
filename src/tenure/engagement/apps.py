from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "tenure.engagement"
    label = "engagement"
    verbose_name = "Interactions and touchpoints"

    def ready(self) -> None:
        from tenure.accounts.privacy import PersonalDataHook, register_personal_data
        from tenure.engagement import privacy

        register_personal_data(
            PersonalDataHook(
                app=self.label, export=privacy.export_contact, erase=privacy.erase_contact
            )
        )
