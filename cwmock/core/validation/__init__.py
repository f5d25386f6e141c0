"""The input rules every edge applies, one module per type: text, numbers and durations, instants, ids, JSON, patterns.

Each limit is named once here and cited by docs/limits.md; an edge (the emulator's APIs, the receiver, the
poller's configuration) calls these rules and turns an `InputError` into its own 4xx answer.
"""

from cwmock.core.validation.documents import (
    MAX_JSON_DEPTH,
    check_json_content_type,
    check_json_value,
    read_json_document,
    read_json_elements,
)
from cwmock.core.validation.errors import InputError, MediaTypeError
from cwmock.core.validation.ids import MAX_ID, MAX_ID_DIGITS, check_id, id_from_text
from cwmock.core.validation.instants import (
    CLOCK_EARLIEST,
    CLOCK_LATEST,
    EARLIEST,
    LATEST,
    check_clock_instant,
    instant_from_text,
    shift,
)
from cwmock.core.validation.numbers import (
    MAX_DURATION_SECONDS,
    MAX_SPEED,
    MIN_SPEED,
    check_duration,
    check_number,
    check_speed,
    check_whole_number,
    number_from_text,
)
from cwmock.core.validation.patterns import MAX_PATTERN_LENGTH, LinearRegex, check_glob
from cwmock.core.validation.text import check_text, text_problem

__all__ = [
    "CLOCK_EARLIEST",
    "CLOCK_LATEST",
    "EARLIEST",
    "LATEST",
    "MAX_DURATION_SECONDS",
    "MAX_ID",
    "MAX_ID_DIGITS",
    "MAX_JSON_DEPTH",
    "MAX_PATTERN_LENGTH",
    "MAX_SPEED",
    "MIN_SPEED",
    "InputError",
    "LinearRegex",
    "MediaTypeError",
    "check_clock_instant",
    "check_duration",
    "check_glob",
    "check_id",
    "check_json_content_type",
    "check_json_value",
    "check_number",
    "check_speed",
    "check_text",
    "check_whole_number",
    "id_from_text",
    "instant_from_text",
    "number_from_text",
    "read_json_document",
    "read_json_elements",
    "shift",
    "text_problem",
]
