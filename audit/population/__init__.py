"""Checks only a database-wide view can make: one certificate is fine, the population is not."""
