"""The plugin system: ``hookspecs`` (the plugin author's manual), ``types`` (what hooks
return), ``manager`` (the pluggy PluginManager) and ``registry`` (what the plugins
declared, collected once at start-up)."""

from .manager import get_plugin_manager, hookimpl
from .registry import registry

__all__ = ["hookimpl", "get_plugin_manager", "registry"]
