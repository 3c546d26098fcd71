"""Block Kit / Web API limit checks used by the fake Slack server.

Each check returns human-readable violation strings such as
``"chat.postMessage blocks[2].accessory.text: 80 > 75 chars"``; an empty list means valid.
The numbers follow Slack's Block Kit reference.
"""

from __future__ import annotations

from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000
ID_MAX = 255  # action_id, block_id, callback_id, external_id

_PLAIN_ONLY = {"header", "button", "placeholder", "label", "title", "submit", "close", "option"}
_NO_CHECK_BLOCKS = {"divider", "rich_text", "video", "file", "markdown", "table"}
_SELECTS = {"static_select", "multi_static_select"}
_OPTION_ELEMENTS = {"overflow": 5, "radio_buttons": 10, "checkboxes": 10}
_SIMPLE_ELEMENTS = {
    "datepicker",
    "timepicker",
    "datetimepicker",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
    "external_select",
    "multi_external_select",
    "number_input",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
    "workflow_button",
}


def _maxlen(out: list[str], where: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        out.append(f"{where}: {len(value)} > {limit} chars")


def _text(out: list[str], where: str, obj: Any, limit: int, kind: str = "") -> None:
    """Check a composition text object ({type, text})."""
    if obj is None:
        return
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        out.append(f"{where}: not a text object: {obj!r:.80}")
        return
    if kind in _PLAIN_ONLY and obj["type"] != "plain_text":
        out.append(f"{where}: must be plain_text")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        out.append(f"{where}: text must be a non-empty string")
        return
    _maxlen(out, where, text, limit)


def _options(out: list[str], where: str, options: Any, max_count: int) -> None:
    if not isinstance(options, list):
        return
    if len(options) > max_count:
        out.append(f"{where}: {len(options)} > {max_count} options")
    for i, opt in enumerate(options):
        w = f"{where}[{i}]"
        _text(out, f"{w}.text", opt.get("text"), 75)
        _text(out, f"{w}.description", opt.get("description"), 75)
        _maxlen(out, f"{w}.value", opt.get("value"), 150)


def check_element(out: list[str], where: str, el: Any) -> None:
    """Check one interactive element (button, select, input...)."""
    if not isinstance(el, dict):
        out.append(f"{where}: element is not an object")
        return
    etype = el.get("type")
    _maxlen(out, f"{where}.action_id", el.get("action_id"), ID_MAX)
    _text(out, f"{where}.placeholder", el.get("placeholder"), 150, "placeholder")
    if etype == "button":
        _text(out, f"{where}.text", el.get("text"), 75, "button")
        _maxlen(out, f"{where}.value", el.get("value"), 2000)
        _maxlen(out, f"{where}.url", el.get("url"), 3000)
        if el.get("style") not in (None, "primary", "danger"):
            out.append(f"{where}.style: invalid {el.get('style')!r}")
    elif etype in _SELECTS:
        _options(out, f"{where}.options", el.get("options"), 100)
        for g, group in enumerate(el.get("option_groups") or []):
            _options(out, f"{where}.option_groups[{g}].options", group.get("options"), 100)
    elif etype in _OPTION_ELEMENTS:
        _options(out, f"{where}.options", el.get("options"), _OPTION_ELEMENTS[etype])
    elif etype == "plain_text_input":
        for key in ("min_length", "max_length"):
            if isinstance(el.get(key), int) and el[key] > 3000:
                out.append(f"{where}.{key}: {el[key]} > 3000")
        _maxlen(out, f"{where}.initial_value", el.get("initial_value"), 3000)
    elif etype == "image":
        _maxlen(out, f"{where}.alt_text", el.get("alt_text"), 2000)
    elif etype not in _SIMPLE_ELEMENTS:
        out.append(f"{where}: unknown element type {etype!r}")


def check_blocks(where: str, blocks: Any, max_blocks: int) -> list[str]:
    """Check a list of blocks against count, length and uniqueness limits."""
    out: list[str] = []
    if blocks is None:
        return out
    if not isinstance(blocks, list):
        return [f"{where}: blocks must be a list"]
    if len(blocks) > max_blocks:
        out.append(f"{where}: {len(blocks)} > {max_blocks} blocks")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        w = f"{where}[{i}]"
        if not isinstance(block, dict):
            out.append(f"{w}: block is not an object")
            continue
        btype, bid = block.get("type"), block.get("block_id")
        _maxlen(out, f"{w}.block_id", bid, ID_MAX)
        if isinstance(bid, str):
            if bid in block_ids:
                out.append(f"{w}.block_id: duplicate {bid!r}")
            block_ids.add(bid)
        if btype == "section":
            if block.get("text") is None and not block.get("fields"):
                out.append(f"{w}: section needs text or fields")
            _text(out, f"{w}.text", block.get("text"), 3000)
            fields = block.get("fields") or []
            if len(fields) > 10:
                out.append(f"{w}.fields: {len(fields)} > 10 fields")
            for f, field in enumerate(fields):
                _text(out, f"{w}.fields[{f}]", field, 2000)
            if block.get("accessory") is not None:
                check_element(out, f"{w}.accessory", block["accessory"])
        elif btype == "header":
            _text(out, f"{w}.text", block.get("text"), 150, "header")
        elif btype == "context":
            elements = block.get("elements") or []
            if len(elements) > 10:
                out.append(f"{w}.elements: {len(elements)} > 10 elements")
            for e, el in enumerate(elements):
                if isinstance(el, dict) and el.get("type") == "image":
                    check_element(out, f"{w}.elements[{e}]", el)
                else:
                    _text(out, f"{w}.elements[{e}]", el, 3000)
        elif btype == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > 25:
                out.append(f"{w}.elements: {len(elements)} elements (1..25)")
            action_ids: set[str] = set()
            for e, el in enumerate(elements):
                check_element(out, f"{w}.elements[{e}]", el)
                aid = el.get("action_id") if isinstance(el, dict) else None
                if isinstance(aid, str):
                    if aid in action_ids:
                        out.append(f"{w}.elements[{e}].action_id: duplicate {aid!r}")
                    action_ids.add(aid)
        elif btype == "input":
            _text(out, f"{w}.label", block.get("label"), 2000, "label")
            _text(out, f"{w}.hint", block.get("hint"), 2000)
            check_element(out, f"{w}.element", block.get("element"))
        elif btype == "image":
            _maxlen(out, f"{w}.alt_text", block.get("alt_text"), 2000)
            _maxlen(out, f"{w}.image_url", block.get("image_url"), 3000)
            _text(out, f"{w}.title", block.get("title"), 2000)
        elif btype not in _NO_CHECK_BLOCKS:
            out.append(f"{w}: unknown block type {btype!r}")
    return out


def check_message(where: str, args: dict[str, Any]) -> list[str]:
    """Check a message body (chat.postMessage/update/postEphemeral or response_url)."""
    out = check_blocks(f"{where} blocks", args.get("blocks"), MESSAGE_MAX_BLOCKS)
    _maxlen(out, f"{where} text", args.get("text"), MESSAGE_TEXT_MAX)
    meta = args.get("metadata")
    if meta is not None and (
        not isinstance(meta, dict)
        or not isinstance(meta.get("event_type"), str)
        or not isinstance(meta.get("event_payload", {}), dict)
    ):
        out.append(f"{where} metadata: needs event_type (str) and event_payload (object)")
    return out


def check_view(where: str, view: Any) -> list[str]:
    """Check a modal or Home tab view."""
    if not isinstance(view, dict):
        return [f"{where} view: missing or not an object"]
    vtype = view.get("type")
    out = check_blocks(f"{where} view.blocks", view.get("blocks"), VIEW_MAX_BLOCKS)
    if vtype not in ("modal", "home"):
        out.append(f"{where} view.type: {vtype!r} is not modal/home")
    _maxlen(out, f"{where} view.private_metadata", view.get("private_metadata"), 3000)
    _maxlen(out, f"{where} view.callback_id", view.get("callback_id"), ID_MAX)
    _maxlen(out, f"{where} view.external_id", view.get("external_id"), ID_MAX)
    if vtype == "modal":
        if view.get("title") is None:
            out.append(f"{where} view.title: required for modals")
        for key in ("title", "submit", "close"):
            _text(out, f"{where} view.{key}", view.get(key), 24, key)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and view.get("submit") is None:
            out.append(f"{where} view.submit: required when the modal has input blocks")
    return out
