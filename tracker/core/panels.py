"""Extension points: domains contribute panels to the start page and the case page.

A domain registers a function once (at import of its views module); the
start page calls every home panel with the user, the case page calls every
case panel with the user and the individual. Each returns a dict that its
own template (`templates/<domain>/_home.html` / `_case.html`) reads from
`home_panels[<domain>]` / `case_panels[<domain>]`. Panels must check the
access policy themselves and use a fixed number of queries.
"""

from collections.abc import Callable

HOME_PANELS: dict[str, Callable] = {}
CASE_PANELS: dict[str, Callable] = {}


def home_panel(domain: str):
    def register(func):
        HOME_PANELS[domain] = func
        return func

    return register


def case_panel(domain: str):
    def register(func):
        CASE_PANELS[domain] = func
        return func

    return register


def build_home_panels(user) -> dict:
    return {domain: func(user) for domain, func in HOME_PANELS.items()}


def build_case_panels(user, individual, facts) -> dict:
    return {domain: func(user, individual, facts) for domain, func in CASE_PANELS.items()}
