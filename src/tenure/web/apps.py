from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tenure.web"
    label = "web"
    verbose_name = "Web pages"
