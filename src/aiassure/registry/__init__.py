"""The registry: every submission and its scores (SQLite or PostgreSQL), and the national portfolio computed in SQL."""
