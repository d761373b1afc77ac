"""The lint engine: the certificate as lints see it, profiles, the catalogue and the runner.

Its hot modules are compiled where they can be, with the hottest lint modules: see setup.py and
audit/compiled.py.
"""
