"""Exercises with check / hint / solution, one module per chapter (``chapter2``, ...)."""
