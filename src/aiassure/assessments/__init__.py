"""Submissions: their format, validation against a rubric, and scoring."""
