"""What the tests share: the pipeline harness, the fault-test workload and helpers, golden
files, and the pytest fixtures (support.fixtures, declared once in tests/conftest.py).

tests/ is on sys.path (pytest's default prepend import mode puts the folder of the
top-level conftest.py there), so tests import `from support.harness import ...`.
"""
