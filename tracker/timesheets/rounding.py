"""The one rounding rule of Puls: largest remainder (Hare–Niemeyer).

Used for every table of percentages (one decimal: the shares of a table sum
to exactly 100.0) and for splitting money (whole kronor: the parts sum to
exactly the invoiced total). Each exact share is rounded down to the unit;
the units still missing are handed, one each, to the shares with the largest
discarded remainders (ties: the larger share first, then the earlier row).
Naive per-row rounding can make 33.3 + 33.3 + 33.3 = 99.9; this cannot.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ROUNDING_RULE_TEXT = (
    "Procent visas med en decimal och avrundas med största-restmetoden: varje andel "
    "avrundas nedåt och de tiondelar som saknas fördelas till de andelar som har störst "
    "rest, så att varje tabells andelar summerar till exakt 100,0 %. Belopp avrundas till "
    "hela kronor på samma sätt, så att delarna per förbund summerar till fakturabeloppet."
)


def largest_remainder(weights: list[Decimal | int], total: int) -> list[int]:
    """Split the integer `total` in proportion to `weights` into integers summing to `total`."""
    weights = [Decimal(w) for w in weights]
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum == 0:
        return [0] * len(weights)
    exact = [w * total / weight_sum for w in weights]
    floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    missing = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), -exact[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


def percentages(counts: list[int]) -> list[Decimal | None]:
    """Shares with one decimal summing to exactly 100.0 (None when there is nothing to share)."""
    if sum(counts) <= 0:
        return [None] * len(counts)
    tenths = largest_remainder(counts, 1000)
    return [Decimal(t) / 10 for t in tenths]


def whole_kronor(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_amount(total: int, weights: list[Decimal]) -> list[int]:
    """Whole-krona parts of `total` in proportion to `weights`, summing exactly to `total`."""
    return largest_remainder(weights, total)
