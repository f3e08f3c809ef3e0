"""The largest-remainder rule for percentages and money."""

from decimal import Decimal

from tracker.timesheets.rounding import largest_remainder, percentages, split_amount, whole_kronor


def test_three_equal_shares_sum_to_exactly_one_hundred():
    assert percentages([1, 1, 1]) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]
    assert sum(percentages([1, 1, 1])) == 100


def test_the_largest_remainders_get_the_missing_tenths():
    # 1/6 = 16.666.., 2/6 = 33.333..: naive rounding gives 16.7 + 16.7 + 33.3 + 33.3 = 100.0 here,
    # but 1/7 each gives 14.3 × 7 = 100.1 naively; the rule gives exactly 100.0.
    shares = percentages([1] * 7)
    assert sum(shares) == 100
    assert shares.count(Decimal("14.3")) == 6 and shares.count(Decimal("14.2")) == 1


def test_an_empty_table_has_no_shares():
    assert percentages([0, 0]) == [None, None]


def test_money_parts_add_up_to_the_total():
    assert split_amount(1000, [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [333, 333, 334]
    assert sum(split_amount(99_999, [Decimal(1)] * 7)) == 99_999


def test_whole_kronor_round_half_up():
    assert whole_kronor(Decimal("2212.50")) == 2213
    assert whole_kronor(Decimal("2212.49")) == 2212


def test_largest_remainder_keeps_zero_weights_at_zero():
    assert largest_remainder([0, 5, 5], 11) == [0, 6, 5]


def test_equal_remainders_are_ties_and_the_larger_share_wins():
    # 1, 4 and 2995 of 1000 each leave exactly a third: a true tie, so the
    # larger share gets the missing unit (not whichever Decimal rounded up).
    assert largest_remainder([1, 4, 2995], 1000) == [0, 1, 999]
    assert percentages([1, 28, 1]) == [Decimal("3.3"), Decimal("93.4"), Decimal("3.3")]
    # Equal shares: the earlier row first.
    assert largest_remainder([1, 1, 1], 100) == [34, 33, 33]


def test_money_weights_with_öre_are_split_exactly():
    assert largest_remainder([Decimal("10.50"), Decimal("20.25"), Decimal("0")], 100) == [34, 66, 0]
    assert split_amount(1000, [Decimal("0.1"), Decimal("0.2")]) == [333, 667]


def test_a_net_credit_is_split_like_a_debit_mirrored():
    # Negative adjustments can make a period's weights and total negative.
    assert split_amount(-1000, [Decimal("-333.30"), Decimal("-666.70")]) == [-333, -667]
    assert split_amount(1000, [Decimal("-333.30"), Decimal("-666.70")]) == [333, 667]
    assert split_amount(-1000, [Decimal("333.30"), Decimal("666.70")]) == [-333, -667]
    # A tie with a negative total: the larger exact share (-333.5 > -666.5) gets the unit.
    assert largest_remainder([1, 2], -1000)[0] == -333 and sum(largest_remainder([1, 2], -1000)) == -1000


def test_exact_integers_agree_with_decimal_arithmetic_except_in_true_ties():
    import random
    from decimal import ROUND_FLOOR, localcontext

    def by_decimal(weights, total):
        with localcontext() as ctx:
            ctx.prec = 60  # enough digits that no tie is broken by rounding
            ws = [Decimal(w) for w in weights]
            exact = [w * total / sum(ws) for w in ws]
            floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
            order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), -exact[i], i))
            for i in order[: total - sum(floors)]:
                floors[i] += 1
            return floors

    rng = random.Random(8)
    for _ in range(3000):
        weights = [Decimal(rng.randint(-5000, 20000)) / 100 for _ in range(rng.randint(1, 6))]
        if sum(weights) == 0:
            continue
        total = rng.choice([1000, -1000, rng.randint(-99999, 99999)])
        assert largest_remainder(weights, total) == by_decimal(weights, total), (weights, total)
