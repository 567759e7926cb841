from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tenure.feedback"
    label = "feedback"
    verbose_name = "Customer feedback and surveys"

    def ready(self) -> None:
        from tenure.accounts.privacy import PersonalDataHook, register_personal_data
        from tenure.engagement.cadence import register_contact_source
        from tenure.feedback import privacy
        from tenure.feedback.contact_source import survey_contacts

        register_contact_source(survey_contacts)
        register_personal_data(
            PersonalDataHook(
                app=self.label, export=privacy.export_contact, erase=privacy.erase_contact
            )
        )
