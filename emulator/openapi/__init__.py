"""The emulator's OpenAPI document."""
