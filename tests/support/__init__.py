"""Helpers shared by several test modules (fixtures stay in the conftest.py files; no test module imports
another test module). tests/__init__.py has pytest rewrite their asserts as a test module's are."""
