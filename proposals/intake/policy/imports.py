"""Where a bill-of-materials file is read, and how far along its reading is: pure rules."""


def bom_import_in_background(*, file_bytes: int, unpacked_bytes: int | None, inline_max_bytes: int) -> bool:
    """Whether an import is read by the intake worker rather than in the web request.

    The cost of reading follows the bytes to parse, not the upload's size: a CSV's bytes are its
    size, an XLSX's are its members' declared uncompressed sizes (a 5 KB workbook may unpack to
    megabytes). `unpacked_bytes` is None when it was not worked out (a compressed file already over
    the limit is never opened in the web process). Only a file whose bytes to parse are all at most
    `inline_max_bytes` is read inline, so a web worker never spends more than a few milliseconds on it.
    """
    if file_bytes > inline_max_bytes:
        return True
    return unpacked_bytes is not None and unpacked_bytes > inline_max_bytes


def bom_rows_estimate(*, rows_read: int, bytes_read: int, bytes_total: int) -> int:
    """The rows the whole file probably holds, from the rows in the part read so far (at least those)."""
    if rows_read <= 0 or bytes_read <= 0 or bytes_total <= bytes_read:
        return max(rows_read, 0)
    return max(rows_read, round(rows_read * bytes_total / bytes_read))


def bom_import_job_exhausted(*, attempts: int, max_attempts: int) -> bool:
    """Whether a job that has started `attempts` times without finishing is given up as failed.

    A file that kills the worker reading it (memory, a crash) would otherwise be sent again by the
    sweeper forever.
    """
    return attempts >= max_attempts
