"""Personal data in what leaves the store: masked ID and phone numbers, redacted logs.

An ID number shows its area code and its last four characters (``659002********0011``), a
mobile number its first three and last four digits (``138****5678``), a landline its area code
and last four digits. ``redact`` masks every such number inside free text: the log file and the
audit log (``events``) go through it, so a file named after a person's ID number, or a value
quoted in a traceback, never lands there in full.
"""

from __future__ import annotations

import re

# 18-character resident IDs (and 15-digit first-generation ones), mobiles, landlines; never
# inside a longer run of digits (a timestamp in nanoseconds, a file size).
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
OLD_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9]\d)(\d{4})(\d{4})(?![0-9])")
LANDLINE_IN_TEXT = re.compile(r"(?<![0-9])(0\d{2,3})([-－—]?)(\d{3,4})(\d{4})(?![0-9])")


def mask_id(value: str) -> str:
    """110105199003071234 -> 110105********1234 (anything else unchanged)."""
    return value[:6] + "*" * 8 + value[14:] if len(value) == 18 else value


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; 0997-1234567 -> 0997-***4567."""
    masked = MOBILE_IN_TEXT.sub(lambda m: f"{m[1]}****{m[3]}", value)
    return LANDLINE_IN_TEXT.sub(lambda m: f"{m[1]}{m[2]}{'*' * len(m[3])}{m[4]}", masked)


def redact(text: str) -> str:
    """``text`` with every ID and phone number in it masked."""
    text = ID_IN_TEXT.sub(lambda m: f"{m[1]}{'*' * 8}{m[3]}", text)
    text = OLD_ID_IN_TEXT.sub(lambda m: f"{m[1]}{'*' * 6}{m[3]}", text)
    return mask_phone(text)
