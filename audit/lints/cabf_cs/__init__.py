"""CA/Browser Forum Baseline Requirements for Code Signing Certificates (CS BR): code-signing,
EV code-signing and time-stamping certificates, and the CAs that issue them."""
