"""Gate.io signing against the official worked examples (reference 3.3) and the WS vectors (8.3)."""

from app.exchanges.gateio.auth import EMPTY_BODY_SHA512, sign_rest, sign_ws


def test_empty_body_hash_is_the_documented_constant() -> None:
    assert EMPTY_BODY_SHA512.startswith("cf83e1357eefb8bdf1542850d66d8007")


def test_official_get_example() -> None:
    sign = sign_rest(
        "secret",
        "GET",
        "/api/v4/futures/orders",
        "contract=BTC_USD&status=finished&limit=50",
        "",
        "1541993715",
    )
    assert sign == (
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6"
        "fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a"
    )


def test_official_post_example() -> None:
    body = '{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'
    sign = sign_rest("secret", "POST", "/api/v4/futures/orders", "", body, "1541993715")
    assert sign == (
        "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541f"
        "c4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0"
    )


def test_spot_order_and_cancel_vectors() -> None:
    body = (
        '{"text":"t-abc123","currency_pair":"BTC_USDT","type":"limit","account":"spot","side":"buy",'
        '"amount":"0.001","price":"65000","time_in_force":"gtc"}'
    )
    assert sign_rest("secret", "POST", "/api/v4/spot/orders", "", body, "1700000000").startswith("3525d0ef40402287")
    assert sign_rest(
        "secret", "DELETE", "/api/v4/spot/orders/12345", "currency_pair=BTC_USDT", b"", "1700000000"
    ).startswith("8786785b05990800")


def test_ws_auth_vectors() -> None:
    assert sign_ws("secret", "spot.orders", "subscribe", 1611541000).startswith("833a44bb4cd083e4")
    assert sign_ws("secret", "futures.orders", "subscribe", 1611541000).startswith("7c9b3c7deb4f57d9")
