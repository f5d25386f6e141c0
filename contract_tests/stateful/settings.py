"""Hypothesis profiles for the stateful property test: `dev` (fast), `ci` (derandomized, the default), `deep`.

Chosen with `--cwmock-profile NAME`, else the `CWMOCK_HYPOTHESIS_PROFILE` environment variable, else `ci`.
They are registered under `cwmock-<name>` so that loading this module never replaces Hypothesis's own built-in
`ci` profile, which Hypothesis loads by itself on CI machines for every other property test in the session.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis import HealthCheck, Phase, settings

PROFILE_ENV = "CWMOCK_HYPOTHESIS_PROFILE"
PROFILE_OPTION = "--cwmock-profile"
DEFAULT_PROFILE = "ci"
PROFILES = ("dev", "ci", "deep")
EXTERNAL_SHARE = 4

# Every example is a whole run over real sockets: seconds, not microseconds, so no deadline and no speed checks.
_BASE = settings(
    settings.get_profile("default"),
    deadline=None,
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)

settings.register_profile("cwmock-dev", _BASE, max_examples=10, stateful_step_count=20)
# Derandomized and without a database: the same examples on every run, so CI is repeatable. No shrinking: a
# failing run reports the first failing sequence (each step notes what it did); rerun with `dev` to shrink it.
settings.register_profile(
    "cwmock-ci",
    _BASE,
    max_examples=25,
    stateful_step_count=30,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
settings.register_profile("cwmock-deep", _BASE, max_examples=2000, stateful_step_count=60)


def profile_name(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The profile asked for: the pytest option, else `CWMOCK_HYPOTHESIS_PROFILE`, else `ci`."""
    environ = os.environ if environ is None else environ
    name = option or environ.get(PROFILE_ENV) or DEFAULT_PROFILE
    if name not in PROFILES:
        source = PROFILE_OPTION if option else PROFILE_ENV
        raise ValueError(f"{source}={name!r} is not a cwmock profile; use one of {', '.join(PROFILES)}")
    return name


def stateful_settings(name: str, *, external: bool = False) -> settings:
    """The registered Hypothesis settings of the cwmock profile `name` (dev, ci or deep); an `external` target
    starts a process for every window, so it gets a quarter of the examples (at least one)."""
    if name not in PROFILES:
        raise ValueError(f"{name!r} is not a cwmock profile; use one of {', '.join(PROFILES)}")
    profile = settings.get_profile(f"cwmock-{name}")
    if not external:
        return profile
    return settings(profile, max_examples=max(1, profile.max_examples // EXTERNAL_SHARE))
