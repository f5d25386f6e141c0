"""Java's SimpleDateFormat and TimeZone, emulated: how Open Connectors formats and parses poller dates."""

from cwmock.core.javadate.formatting import EPOCH_MILLIS, JavaDateFormat
from cwmock.core.javadate.zones import JavaZone, resolve_zone

__all__ = [
    "EPOCH_MILLIS",
    "JavaDateFormat",
    "JavaZone",
    "resolve_zone",
]
