"""Which section modules make up the report, and running them for one project and period.

PLUG-IN POINT: a domain adds report sections by writing a module with
`@section(...)` builders (see tracker/reports/tables.py) and listing it here,
e.g. "tracker.benefits.report_sections" for certificates, decisions,
days certificate→decision and granted-without-plan (kinds={ProjectKind.AE}),
and "tracker.meetings.report_sections" for pulsmöten held.
"""

import importlib

from tracker.reports.tables import SECTIONS, Period, ReportContext, Section

SECTION_MODULES = [
    "tracker.reports.sections.participants",
    "tracker.reports.sections.activities",
    "tracker.reports.sections.consents",
    "tracker.reports.sections.economy",
    "tracker.benefits.report_sections",
    "tracker.meetings.report_sections",
]


def load_sections() -> None:
    for module_name in SECTION_MODULES:
        importlib.import_module(module_name)


def build_report(project, period: Period) -> list[Section]:
    load_sections()
    ctx = ReportContext(project=project, period=period)
    builders = sorted(
        (b for b in SECTIONS.values() if project.kind in b.kinds), key=lambda b: (b.order, b.key)
    )
    return [Section(b.key, b.title, b.build(ctx)) for b in builders]
