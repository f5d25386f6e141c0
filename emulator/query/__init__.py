"""The query languages (`conditions`, `childConditions`, CEQL, `orderBy`, `fields`) over one predicate model."""
