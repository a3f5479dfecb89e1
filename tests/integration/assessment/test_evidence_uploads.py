"""Issue 11 M4: evidence files checked by content against an allow-list, stored under a generated name, shown
under a cleaned name, downloaded as attachments whose extension is what the file really is; disk errors leave
nothing behind. And the page's autosave of the practical text keeps an upload attached through the API."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.lti_platform import TestPlatform

UNIT = "building-selective-demolition"  # has a practical item
PDF = b"%PDF-1.7\n%test\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24


def _start(tool: LiveTool, platform: TestPlatform) -> tuple[Learner, dict[str, Any], str]:
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    practical = next(i["id"] for i in attempt["items"] if i["type"] == "practical")
    return learner, attempt, practical


def _send(learner: Learner, attempt: dict[str, Any], item: str, name: str, data: bytes) -> requests.Response:
    # The multipart body by hand, so the name arrives exactly as given.
    # RFC 7578 §4.2 / RFC 5987 filename* carries any character, CR and LF too, percent-encoded.
    boundary = "evidence-boundary"
    encoded = quote(name, safe="")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''{encoded}\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return learner.http.post(f"{learner.tool.url}/api/attempts/{attempt['id']}/uploads/{item}", timeout=10,
                             data=body, headers={"X-CSRFToken": learner.csrf,
                                                 "Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_names_are_cleaned_and_downloads_are_safe(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, attempt, practical = _start(tool, platform)
    cases = [  # sent name, content, shown name, downloaded as, type
        ("run.bat", b"@echo off\r\ndel *.*\r\n", "run.bat", "run.bat.txt", "text/plain"),
        ("evidence.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "evidence.svg", "evidence.svg.txt", "text/plain"),
        ("page.html", b"<html><script>alert(1)</script></html>", "page.html", "page.html.txt", "text/plain"),
        ("report\u202efdp.hta", b"plain words", "reportfdp.hta", "reportfdp.hta.txt", "text/plain"),
        ("site\r\nphoto.pdf", PDF, "sitephoto.pdf", "sitephoto.pdf", "application/pdf"),
        ("../../etc/passwd", b"root:x:0:0", "passwd", "passwd.txt", "text/plain"),
        ("wall.webp", WEBP, "wall.webp", "wall.webp", "image/webp"),
    ]
    for sent, data, shown, saved_as, kind in cases:
        answer = _send(learner, attempt, practical, sent, data)
        assert answer.status_code == 201, (sent, answer.text)
        body = answer.json()
        assert body["filename"] == shown and body["content_type"] == kind, body
        assert body["upload"] not in str(Path(sent))  # the stored name is generated
        file = learner.http.get(f"{tool.url}/uploads/{body['upload']}", timeout=10)
        assert file.status_code == 200 and file.content == data, sent
        disposition = file.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and disposition.split("filename=", 1)[1].strip('"') == saved_as, \
            disposition
        assert file.headers["Content-Type"].startswith(kind)
        assert file.headers["X-Content-Type-Options"] == "nosniff"
        stored = list((Path(tool.app.instance_path) / "uploads" / attempt["id"]).iterdir())
        assert all(p.name.count("-") == 4 for p in stored)  # uuids only: no learner-chosen name on disk


def test_only_allowed_content_is_accepted(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, attempt, practical = _start(tool, platform)
    for name, data in (("anim.gif", b"GIF89a" + b"\x00" * 32), ("evil.exe", b"MZ\x90\x00" + b"\xff" * 100),
                       ("photo.jpg", b"\x00\x01\x02 binary"), ("archive.zip", b"PK\x03\x04" + b"\x00" * 30),
                       ("utf16.txt", "hello".encode("utf-16"))):
        answer = _send(learner, attempt, practical, name, data)
        assert answer.status_code == 422 and answer.json()["error"] == "unsupported_type", name


def test_a_disk_error_gives_a_clear_answer_and_leaves_nothing(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, attempt, practical = _start(tool, platform)
    blocked = Path(tool.app.instance_path) / "uploads" / attempt["id"]
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the attempt's folder should be")  # the write fails at the OS
    answer = _send(learner, attempt, practical, "report.pdf", PDF)
    assert answer.status_code == 503 and answer.json()["error"] == "storage_failed", answer.text
    assert "could not be stored" in answer.json()["message"]
    assert sorted(p.name for p in blocked.parent.iterdir()) == [attempt["id"]]  # no orphan
    shown = learner.api("GET", f"/api/attempts/{attempt['id']}").json()
    assert shown["responses"] == {}


def test_a_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    """ENOSPC-like: a file-size limit makes the write fail halfway (EFBIG), in a child process."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        sys.path.insert(0, {str(PROJECT_ROOT)!r})
        from lti_tool.assessment.upload_store import FolderUploadStore, StorageFailed
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            FolderUploadStore(Path({str(tmp_path)!r})).save("attempt", "upload-id", b"x" * (1024 * 1024))
        except StorageFailed as error:
            print("refused:", error.message)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "refused: The file could not be stored" in done.stdout, done.stdout + done.stderr
    assert list((tmp_path / "attempt").iterdir()) == []


def test_autosaving_the_text_keeps_the_upload(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, attempt, practical = _start(tool, platform)
    upload = _send(learner, attempt, practical, "photo.pdf", PDF).json()["upload"]
    path = f"/api/attempts/{attempt['id']}/responses/{practical}"
    assert learner.api("PUT", path, {"response": {"text": "first draft", "upload": upload}}).status_code == 200
    # The page autosaves the text alone, as it always did.
    saved = learner.api("PUT", path, {"response": {"text": "second draft"}})
    assert saved.status_code == 200 and saved.json()["response"] == {"text": "second draft", "upload": upload}
    assert learner.api("PUT", path, {"response": "third draft"}).json()["response"]["upload"] == upload
    shown = learner.api("GET", f"/api/attempts/{attempt['id']}").json()["responses"][practical]
    assert shown == {"text": "third draft", "upload": upload}
    # Removing it is explicit.
    removed = learner.api("PUT", path, {"response": {"text": "no photo after all", "upload": None}})
    assert removed.json()["response"] == {"text": "no photo after all"}
