"""Plain server-rendered SVG bar charts (no JavaScript, no inline styles: CSP-safe)."""

from decimal import Decimal
from xml.sax.saxutils import escape

from markupsafe import Markup

from tracker.reports.formatting import display
from tracker.reports.tables import Table

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 230
CHART_WIDTH = 640


def chart_items(table: Table) -> list[tuple[str, float, str]]:
    """(label, value, shown text) of a table's non-total rows, from its first numeric column."""
    items = []
    for row in table.rows:
        if row.is_total or not row.cells:
            continue
        cell = row.cells[table.chart_column]
        if isinstance(cell.value, int | float | Decimal):
            items.append((row.label, float(cell.value), display(cell)))
    return items


def bar_chart(title: str, items: list[tuple[str, float, str]]) -> Markup:
    height = max(1, len(items)) * (BAR_HEIGHT + GAP) + GAP
    peak = max((value for _l, value, _t in items), default=0) or 1
    bar_space = CHART_WIDTH - LABEL_WIDTH - 80
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}">'
        f"<title>{escape(title)}</title>"
    ]
    for index, (label, value, text) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(0.0, value) / peak * bar_space
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" class="chart-bar" '
            f'fill="#2b6cb0"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}" class="chart-value">{escape(text)}</text>'
        )
    parts.append("</svg>")
    # Every interpolated text above is escaped; the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704


def table_chart(table: Table) -> Markup | None:
    items = chart_items(table)
    return bar_chart(table.title, items) if items else None
