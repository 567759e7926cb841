from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tenure.feedback"
    label = "feedback"
    verbose_name = "Customer feedback and surveys"
