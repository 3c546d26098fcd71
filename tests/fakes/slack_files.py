"""File uploads of the fake Slack: ``files.getUploadURLExternal``, the upload URL, and
``files.completeUploadExternal`` (what slack_sdk's ``files_upload_v2`` calls), plus
``conversations.open`` for direct messages.

Like Slack, a file is shared only once completed, into the channel given there, and only if the
bytes uploaded match the length announced; shared files are kept in ``shared``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeFile:
    """One upload: announced name and length, the bytes received, where it was shared."""

    id: str
    filename: str
    length: int
    data: bytes | None = None
    channel: str | None = None
    title: str = ""
    initial_comment: str = ""
    upload_headers: dict[str, str] = field(default_factory=dict)


class SlackFiles:
    """The file-upload part of the fake Web API (mixed into ``FakeSlack``)."""

    url: str
    handlers: dict[str, Any]
    violations: list[str]

    def init_files(self) -> None:
        """Register the file methods; call from ``__init__``."""
        self.files: dict[str, FakeFile] = {}
        self.dms: dict[str, str] = {}  # user id -> DM channel id
        self.blocked_dms: set[str] = set()  # users whose DM cannot be opened
        self._file_ids = itertools.count(1)
        self.handlers.update(
            {
                "conversations.open": self._conv_open,
                "files.getUploadURLExternal": self._get_upload_url,
                "files.completeUploadExternal": self._complete_upload,
            }
        )

    def add_file_routes(self, app: web.Application) -> None:
        """Serve the upload URLs; call from ``start``."""
        app.router.add_post("/upload/{file_id}", self._handle_upload)

    @property
    def shared(self) -> list[FakeFile]:
        """Files completed into a channel, oldest first."""
        return [f for f in self.files.values() if f.channel is not None]

    def _conv_open(self, a: dict[str, Any]) -> dict[str, Any]:
        user = str(a.get("users", ""))
        if not user or "," in user:
            return {"ok": False, "error": "invalid_arguments"}
        if user in self.blocked_dms:
            return {"ok": False, "error": "cannot_dm_bot"}
        channel = self.dms.setdefault(user, f"D{user}")
        return {"ok": True, "channel": {"id": channel}}

    def _get_upload_url(self, a: dict[str, Any]) -> dict[str, Any]:
        filename, length = a.get("filename"), a.get("length")
        if not filename or not str(length or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):05d}"
        self.files[file_id] = FakeFile(file_id, str(filename), int(str(length)))
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        if found is None:
            return web.Response(status=404, text="unknown upload")
        found.data = await request.read()
        found.upload_headers = dict(request.headers)
        if len(found.data) != found.length:
            self.violations.append(f"upload {found.id}: {len(found.data)} bytes, announced {found.length}")
            return web.Response(status=400, text="length mismatch")
        return web.Response(text=f"OK - {len(found.data)}")

    def _complete_upload(self, a: dict[str, Any]) -> dict[str, Any]:
        entries = a.get("files")
        if not isinstance(entries, list) or not entries:
            return {"ok": False, "error": "invalid_arguments"}
        done = []
        for entry in entries:
            found = self.files.get(str(entry.get("id")))
            if found is None or found.data is None:
                return {"ok": False, "error": "file_not_found"}
            found.channel = a.get("channel_id") or None
            found.title = str(entry.get("title") or found.filename)
            found.initial_comment = str(a.get("initial_comment") or "")
            done.append({"id": found.id, "name": found.filename, "title": found.title})
        return {"ok": True, "files": done}
