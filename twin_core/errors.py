"""One error type for bad input: it names the input, what is wrong and what to do.

Messages come from the locale files (``errors.<code>``) so the dashboard shows them in the
user's language; ``str(err)`` is the English text, for logs and the command line.
"""

from __future__ import annotations

from typing import Any


class TwinInputError(ValueError):
    """Bad user input: a file, a layer, a column, a scenario key or value.

    ``source`` names the input (file path, layer, scenario file, widget), ``code`` selects the
    message template in the locale files, ``params`` fill it.
    """

    def __init__(self, code: str, source: str, **params: Any) -> None:
        self.code = code
        self.source = source
        self.params = {k: v for k, v in params.items()}
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        from twin_core.i18n import t

        head = t("errors.prefix", lang, source=self.source)
        body = t(f"errors.{self.code}", lang, **self.params)
        fix = t(f"errors.{self.code}_fix", lang, default="", **self.params)
        return f"{head} {body}" + (f" {fix}" if fix else "")
