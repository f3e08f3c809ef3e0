from tests.benefits.conftest import Case, case  # noqa: F401  (the same small AE case)
