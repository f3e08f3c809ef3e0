"""Password hashing with Argon2id and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[bool, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _hashers:
        # Tests use cheap parameters; production uses the library's defaults.
        _hashers[fast] = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
        )
    return _hashers[fast]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# A real hash to verify against when the account does not exist, so that
# unknown and known e-mail addresses take the same time.
_DUMMY: dict[bool, str] = {}


def verify_dummy(password: str) -> None:
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _DUMMY:
        _DUMMY[fast] = hash_password("not-a-real-password")
    verify_password(_DUMMY[fast], password)


def password_problems(password: str) -> list[str]:
    """Swedish messages for a password that breaks the policy (empty if fine)."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(f"Lösenordet måste ha minst {minimum} tecken.")
    if len(password) > 256:
        problems.append("Lösenordet får ha högst 256 tecken.")
    if password.strip() != password:
        problems.append("Lösenordet får inte börja eller sluta med mellanslag.")
    if len(set(password)) < 5:
        problems.append("Lösenordet måste innehålla fler olika tecken.")
    return problems
