from django.apps import AppConfig


class MissingPersonsConfig(AppConfig):
    name = "plugins.missing_persons"
    label = "missing_persons"
    verbose_name = "Missing Persons"
