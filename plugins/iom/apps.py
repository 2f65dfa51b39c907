from django.apps import AppConfig


class IomConfig(AppConfig):
    name = "plugins.iom"
    label = "iom"
    verbose_name = "Integrated Offender Management"
