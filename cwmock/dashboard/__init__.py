"""The browser dashboard at `/__ui`: clock, instances, contacts, faults, arrivals and the verdict as a timeline."""

from cwmock.dashboard.app import create_dashboard, mount_dashboard
from cwmock.dashboard.sources import Sources

__all__ = ["Sources", "create_dashboard", "mount_dashboard"]
