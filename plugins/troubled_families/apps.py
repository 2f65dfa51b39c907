from django.apps import AppConfig


class TroubledFamiliesConfig(AppConfig):
    name = "plugins.troubled_families"
    label = "troubled_families"
    verbose_name = "Troubled Families"
