from django.apps import AppConfig


class RjConfig(AppConfig):
    name = "plugins.rj"
    label = "rj"
    verbose_name = "Restorative Justice"
