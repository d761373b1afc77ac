"""Comparing runs: what changed between two audits, and since when a finding has been open."""
