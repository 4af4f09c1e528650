"""The test suite's shared helpers live beside this file (cpu_programs.py); pytest puts this
directory on sys.path because of this conftest, so every test folder can import them."""
