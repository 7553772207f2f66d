"""Extraction: case-report text to patients, therapy lines and responses, each value with its evidence."""
