"""Path converters with bounds, so a hostile URL is a 404 and never a database overflow."""


class TaskNumberConverter:
    # Task numbers are PositiveIntegerField (at most 2147483647): ten digits would overflow.
    regex = "[1-9][0-9]{0,8}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class RowIdConverter(TaskNumberConverter):
    # Ids are 64-bit; 18 digits always fit.
    regex = "[1-9][0-9]{0,17}"
