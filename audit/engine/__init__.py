"""The lint engine: the certificate as lints see it, profiles, the catalogue and the runner.

Its hot modules are compiled where they can be, as are the lint modules: see audit/compiled.py.
"""
