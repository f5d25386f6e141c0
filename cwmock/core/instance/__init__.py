"""The Open Connectors instance JSON (what users POST to `/instances`) as typed configuration."""

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
