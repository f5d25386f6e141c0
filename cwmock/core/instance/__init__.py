"""The Open Connectors instance JSON (what users POST to `/instances`) as typed configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cwmock.core.lazy_exports import lazy_exports

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
    "ConfigProblem": ".errors",
    "Instance": ".config",
    "InstanceConfigError": ".errors",
    "InstanceConfiguration": ".config",
    "UrlTemplate": ".url_template",
    "UrlTemplateError": ".url_template",
    "parse_instance": ".config",
    "parse_url_template": ".url_template",
}

# Hidden from type checkers, which read the names from the imports above (and refuse any other).
if not TYPE_CHECKING:
    __getattr__ = lazy_exports(__name__, _MODULES)
