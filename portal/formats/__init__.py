"""Locale formats (FORMAT_MODULE_PATH): the patterns of portal.core.dates for Django's own output."""
