"""The admin API (`/__admin`): the clock, mutations, faults, inspection."""
