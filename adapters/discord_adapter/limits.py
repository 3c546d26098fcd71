"""Discord's size limits for messages, embeds and components, and safe truncation."""

from __future__ import annotations

# the core's truncation, re-exported for the modules that clip to these limits
from bot.cards import ELLIPSIS as ELLIPSIS
from bot.cards import clip as clip

EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
BUTTON_LABEL = 80
CUSTOM_ID = 100
BUTTONS_PER_MESSAGE = 25
FILES_PER_MESSAGE = 10
MODAL_TITLE = 45
LABEL_TEXT = 45
LABEL_DESCRIPTION = 100
TEXT_INPUT = 4000
PLACEHOLDER = 100
THREAD_NAME = 100
CHOICE_NAME = 100
CHOICES = 25
NONCE = 25
