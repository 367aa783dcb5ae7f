"""User input read with French messages: numbers within bounds, codes, strict JSON bodies.

The messages say what is accepted and never repeat what was submitted: a value may be
anything, personal data included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from rules.formatting import fr_number


def parse_number(
    value: object,
    *,
    what: str,
    minimum: float,
    maximum: float,
    min_inclusive: bool = True,
    example: str,
) -> float:
    """Read a finite number within bounds, or explain in French what is accepted.

    The message never repeats the submitted value: it may be anything, even personal data.

    Raises:
        ValueError: the value is not a number within the bounds.

    """
    lower = "à partir de" if min_inclusive else "strictement supérieur à"
    accepted = f"{what} : un nombre {lower} {fr_number(minimum)} et jusqu'à {fr_number(maximum)}"
    message = f"{accepted} est attendu (par exemple {example})"
    if isinstance(value, bool):
        raise ValueError(message)
    try:
        number = float(str(value).strip().replace(",", ".")) if value is not None else math.nan
    except ValueError:
        raise ValueError(message) from None
    too_low = number < minimum if min_inclusive else number <= minimum
    if not math.isfinite(number) or too_low or number > maximum:
        raise ValueError(message)
    return number


def check_choice(value: object, accepted: Mapping[Any, str], what: str) -> str:
    """Accept one of the codes, or list them with their meaning in a French message.

    Raises:
        ValueError: the value is not one of the accepted codes.

    """
    if isinstance(value, str) and value in accepted:
        return value
    listing = ", ".join(f"{code} ({label})" if label else code for code, label in accepted.items())
    raise ValueError(f"{what} : valeur non reconnue ; valeurs acceptées : {listing}")


class StrictBody(BaseModel):
    """A JSON body that refuses unknown fields, in French and without naming them.

    An unknown field is usually a typo that would otherwise be silently ignored; its name
    is not repeated because a body may carry anything, personal data included.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: object) -> object:
        if isinstance(data, dict) and set(data) - set(cls.model_fields):
            accepted = ", ".join(cls.model_fields)
            raise ValueError(f"champ non reconnu ; champs acceptés : {accepted}")
        return data


def exact(value: float) -> Fraction:
    """Keep the decimal a person wrote (0.1, 33.3) exact, not its binary rounding."""
    return Fraction(str(value))
