"""A dense integer number for each account of an events frame, computed once and shared.

The account features, the word sample, linking, group scoring and campaign assembly all group or join the
events by account. On the account id strings each of them hashed every event's id again (1M events: a join
or a hash per stage). ``AccountIndex`` numbers the accounts once, in account id order (the order of the
feature table's rows, so that the number is also the row of the account in that table), and gives every
event its account's number; group-bys and joins then run on one small integer column.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# The column holding the account's number, in ``AccountIndex.names`` and as the name of ``AccountIndex.key``.
ACCOUNT_KEY = "_a"


@dataclass(frozen=True)
class AccountIndex:
    """``names``: (``_a``, ``column``) one row per distinct value of ``column``, sorted by it, ``_a`` the row
    number (UInt32); ``key``: each event's ``_a``, aligned with the events the index was built from."""

    column: str
    names: pl.DataFrame
    key: pl.Series

    @classmethod
    def of(cls, events: pl.DataFrame, column: str = "account_id") -> AccountIndex:
        """Number the distinct values of ``events[column]`` (which must have no nulls)."""
        if events[column].null_count():
            raise ValueError(f"cannot index {column}: it has null values")
        names = events.select(pl.col(column).unique().sort()).with_row_index(ACCOUNT_KEY)
        key = events.select(column).join(names, on=column, how="left", maintain_order="left")[ACCOUNT_KEY]
        return cls(column, names, key)

    def fits(self, events: pl.DataFrame, column: str = "account_id") -> bool:
        """Whether this index numbers ``column`` of ``events`` (built from them, or from rows aligned with
        them): checked on the height and the column name only, so build it from the frame it is used on."""
        return self.column == column and self.key.len() == events.height

    def numbers_rows_of(self, table: pl.DataFrame) -> bool:
        """Whether ``table``'s ``column`` lists exactly the indexed values in index order, i.e. each row's
        number is its position (true of a feature table of these events: one row per account, sorted)."""
        return table.height == self.names.height and table[self.column].equals(
            self.names[self.column], check_names=False
        )
