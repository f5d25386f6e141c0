"""The Open Connectors instance JSON (what users POST to `/instances`) as typed configuration."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cwmock.core.instance.config import Instance, InstanceConfiguration, parse_instance
    from cwmock.core.instance.errors import ConfigProblem, InstanceConfigError
    from cwmock.core.instance.url_template import UrlTemplate, UrlTemplateError, parse_url_template

__all__ = [
    "ConfigProblem",
    "Instance",
    "InstanceConfigError",
    "InstanceConfiguration",
    "UrlTemplate",
    "UrlTemplateError",
    "parse_instance",
    "parse_url_template",
]
# The module each name above comes from, imported on first use (PEP 562): a process that needs only the URL
# templates (a zoo poller's window, one process each) then does not import the instance model and its validation.
_MODULES = {
    "ConfigProblem": "errors",
    "Instance": "config",
    "InstanceConfigError": "errors",
    "InstanceConfiguration": "config",
    "UrlTemplate": "url_template",
    "UrlTemplateError": "url_template",
    "parse_instance": "config",
    "parse_url_template": "url_template",
}


def __getattr__(name: str) -> Any:
    """A name of `__all__`, from its module."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
