"""How many bytes an item takes in DynamoDB, by the rules of "Item sizes and formats".

An item is at most 400 KB (409,600 bytes): attribute names and values in UTF-8; a number
1 byte per two significant digits plus 1; binary its raw length; null and Boolean 1 byte; a
list or map 3 bytes plus 1 byte per element plus its elements (map keys count like names);
a set the sum of its elements. Items here are the Python values `table.to_attr` serialises.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

ITEM_LIMIT = 400 * 1024
# Well under the limit: the docs call the number rule approximate, and moto stops at 405,000.
ITEM_BUDGET = 350_000


def item_size(item: dict[str, Any]) -> int:
    return sum(_text(name) + value_size(value) for name, value in item.items())


def value_size(value: Any) -> int:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, dict):
        kept = [(k, v) for k, v in value.items() if v is not None]
        return 3 + sum(1 + _text(k) + value_size(v) for k, v in kept)
    if isinstance(value, list | tuple):
        return 3 + sum(1 + value_size(v) for v in value)
    if isinstance(value, set | frozenset):
        return sum(value_size(v) for v in value)
    raise TypeError(f"no DynamoDB size for {type(value).__name__}")


def _text(value: str) -> int:
    return len(value.encode("utf-8", errors="surrogatepass"))


def _number(value: int | float | Decimal) -> int:
    digits = Decimal(str(value)).normalize().as_tuple().digits
    significant = len("".join(map(str, digits)).strip("0")) or 1
    return (significant + 1) // 2 + 1
