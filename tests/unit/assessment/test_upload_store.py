"""The folder that keeps learners' evidence files behind the UploadStore Protocol (the Runtime's choice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lti_tool.assessment.upload_store import FolderUploadStore, StorageFailed, UploadStore


def test_a_file_is_kept_read_measured_and_forgotten(tmp_path: Path) -> None:
    store: UploadStore = FolderUploadStore(tmp_path)
    store.save("attempt-1", "upload-a", b"%PDF-1.7 report")
    store.save("attempt-1", "upload-b", b"photo")
    assert store.size("attempt-1", "upload-a") == len(b"%PDF-1.7 report")
    stream = store.open("attempt-1", "upload-a")
    assert stream is not None
    with stream:
        assert stream.read() == b"%PDF-1.7 report"
    assert sorted(p.name for p in (tmp_path / "attempt-1").iterdir()) == ["upload-a", "upload-b"]  # no .part left

    store.delete("attempt-1", "upload-a")
    assert store.open("attempt-1", "upload-a") is None and store.size("attempt-1", "upload-a") is None
    store.delete("attempt-1", "upload-a")  # already gone: no error
    store.delete("attempt-1", "upload-b")
    assert not (tmp_path / "attempt-1").exists()  # the attempt's folder goes with its last file


def test_an_attempt_is_forgotten_whole_and_unknown_files_are_none(tmp_path: Path) -> None:
    store = FolderUploadStore(tmp_path)
    store.save("attempt-2", "upload-c", b"text")
    (tmp_path / "attempt-2" / "left-by-a-crash").write_bytes(b"no row")  # a file whose row never committed
    store.delete("attempt-2")
    assert list(tmp_path.iterdir()) == []
    assert store.open("attempt-9", "nothing") is None and store.size("attempt-9", "nothing") is None


def test_a_file_that_cannot_be_written_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "attempt-3").write_text("a file where the attempt's folder should be")
    with pytest.raises(StorageFailed):
        FolderUploadStore(tmp_path).save("attempt-3", "upload-d", b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attempt-3"]
