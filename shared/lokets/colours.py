"""A loket's or region's brand colour: its format and its contrast (WCAG AA), checked in one place.

``brand_colour_validator`` is the brand colour field's validator on the model, so every
way to set a colour refuses one that is too light with the same message: the staff page
and the API (through ``branding.branding_update``, which calls ``colour_check``), the
Django admin and any other model form. Nothing here imports the models (they import it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WHITE = "#ffffff"
# The page's backgrounds where the colour is used for links and text (site.css: --paper, --soft).
PAGE_BACKGROUNDS = ("#ffffff", "#f3f5f8")
MIN_CONTRAST = 4.5

colour_validator = RegexValidator(
    r"^#[0-9a-f]{6}$",
    gettext_lazy("Enter a colour as # and six hexadecimal digits, e.g. #0b5394."),
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ratio_shown(ratio: float) -> float:
    """A contrast ratio as people read it, to one decimal, rounded down: a colour that
    fails is never shown as reaching the minimum (4.499:1 reads 4.4:1, not 4.5:1)."""
    return math.floor(ratio * 10 + 1e-9) / 10


@dataclass(frozen=True)
class Contrast:
    """How readable a colour is where the site uses it: the ratios unrounded, because
    WCAG's minimum is a threshold (4.499:1 does not reach 4.5:1); round only to show them
    (``ratio_shown``)."""

    colour: str
    with_white_text: float
    with_backgrounds: tuple[tuple[str, float], ...]

    @property
    def lowest(self) -> float:
        return min(self.with_white_text, *(ratio for _bg, ratio in self.with_backgrounds))

    @property
    def passes(self) -> bool:
        return self.lowest >= MIN_CONTRAST


def colour_contrast(colour: str) -> Contrast:
    return Contrast(
        colour=colour,
        with_white_text=contrast_ratio(colour, WHITE),
        with_backgrounds=tuple(
            (background, contrast_ratio(colour, background)) for background in PAGE_BACKGROUNDS
        ),
    )


def colour_normalise(value: str) -> str:
    return value.strip().lower()


@deconstructible(path="shared.lokets.colours.BrandColourValidator")
class BrandColourValidator:
    """A stored brand colour: #rrggbb in lower case with at least ``MIN_CONTRAST`` against
    white text and every page background; ValidationError in the user's language else."""

    def __call__(self, value: str) -> None:
        colour_validator(value)
        contrast = colour_contrast(value)
        if contrast.passes:
            return
        page = min(ratio for _bg, ratio in contrast.with_backgrounds)
        raise ValidationError(
            _(
                "This colour is too light: white text on it has a contrast of "
                "%(white)s:1 and links on the page %(page)s:1; at least %(minimum)s:1 is "
                "needed. Choose a darker colour."
            )
            % {
                # In the language's format ("4,5" in Dutch and French), as the help text.
                "white": number_format(ratio_shown(contrast.with_white_text), decimal_pos=1),
                "page": number_format(ratio_shown(page), decimal_pos=1),
                "minimum": number_format(MIN_CONTRAST, decimal_pos=1),
            },
            code="contrast",
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BrandColourValidator)

    def __hash__(self) -> int:
        return hash(BrandColourValidator)


brand_colour_validator = BrandColourValidator()


def colour_check(value: str) -> str:
    """The colour, lower-case and trimmed, if ``brand_colour_validator`` accepts it;
    ValidationError else."""
    colour = colour_normalise(value)
    brand_colour_validator(colour)
    return colour
