"""Population lints: rules about the audited population as a whole (see audit/population/)."""
