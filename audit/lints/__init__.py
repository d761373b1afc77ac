"""The lint catalogue, one folder per source and one module per concern.

Every module here is imported by `Catalogue.load()`; a new file is picked up on its own.
"""
