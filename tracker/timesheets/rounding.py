"""The one rounding rule of Puls: largest remainder (Hare–Niemeyer).

Used for every table of percentages (one decimal: the shares of a table sum
to exactly 100.0) and for splitting money (whole kronor: the parts sum to
exactly the invoiced total). Each exact share is rounded down to the unit;
the units still missing are handed, one each, to the shares with the largest
discarded remainders (ties: the larger share first, then the earlier row).
Naive per-row rounding can make 33.3 + 33.3 + 33.3 = 99.9; this cannot.
"""

from decimal import ROUND_HALF_UP, Decimal

ROUNDING_RULE_TEXT = (
    "Procent visas med en decimal och avrundas med största-restmetoden: varje andel "
    "avrundas nedåt och de tiondelar som saknas fördelas till de andelar som har störst "
    "rest, så att varje tabells andelar summerar till exakt 100,0 %. Belopp avrundas till "
    "hela kronor på samma sätt, så att delarna per förbund summerar till fakturabeloppet."
)


def largest_remainder(weights: list[Decimal | int], total: int) -> list[int]:
    """Split the integer `total` in proportion to `weights` into integers summing to `total`.

    In exact integer arithmetic: the weights are scaled to integers (money has
    öre), so every share is `weight * total / sum` as a quotient and a
    remainder over the same divisor, and equal remainders are real ties
    (Decimal's 28 digits would break a tie of thirds by rounding noise).
    """
    if all(type(w) is int for w in weights):
        scaled = list(weights)  # counts, for percentages: already integers
    else:
        decimals = [Decimal(w) for w in weights]
        places = max(0, *(-d.as_tuple().exponent for d in decimals))
        scaled = [int(d.scaleb(places)) for d in decimals]
    divisor = sum(scaled)
    if not scaled or divisor == 0:
        return [0] * len(scaled)
    if divisor < 0:  # a net credit (negative adjustments): same shares, positive divisor
        scaled, divisor = [-w for w in scaled], -divisor
    # Each exact share is quotient + remainder / divisor, with 0 <= remainder < divisor.
    shares = [divmod(w * total, divisor) for w in scaled]
    floors = [quotient for quotient, _ in shares]
    missing = total - sum(floors)
    # Largest remainder first; ties: the larger exact share, then the earlier row.
    order = sorted(range(len(shares)), key=lambda i: (-shares[i][1], -scaled[i] * total, i))
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
