"""Java's SimpleDateFormat and TimeZone, emulated: how Open Connectors formats and parses poller dates."""
