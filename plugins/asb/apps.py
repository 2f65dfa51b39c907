from django.apps import AppConfig


class AsbConfig(AppConfig):
    name = "plugins.asb"
    label = "asb"
    verbose_name = "Anti-Social Behaviour"
