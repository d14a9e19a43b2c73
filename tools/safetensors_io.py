"""Minimal hand-written safetensors reader and writer (F32 tensors only).

Used by tools/make_golden.py and tools/check_roundtrip.py so that neither needs
the `safetensors` package. The format:

    8 bytes   little-endian u64 N, the length of the JSON header
    N bytes   UTF-8 JSON object {"__metadata__": {str: str}, name: {"dtype": "F32",
              "shape": [...], "data_offsets": [begin, end]}, ...}, padded with
              trailing spaces so that N is a multiple of 8
    rest      raw little-endian tensor bytes; offsets are relative to the start
              of this buffer, which must be covered exactly, without holes

Files written here are "canonical": tensors are ordered by name both in the
header and in the byte buffer, and the header length is a multiple of 8.
"""

import json
import struct

import numpy as np

_DTYPE = "F32"
_ITEMSIZE = 4
_LITTLE_F32 = np.dtype("<f4")


class SafetensorsError(ValueError):
    """Raised when a file does not follow the safetensors format."""


def write_safetensors(path, tensors, metadata):
    """Write `tensors` (name -> array-like of float32 values) and `metadata`
    (str -> str) to `path` in canonical layout."""
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"metadata must map str to str, got {key!r}: {value!r}")
    header = {"__metadata__": dict(metadata)}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(np.asarray(tensors[name], dtype=_LITTLE_F32))
        data = array.tobytes()
        header[name] = {
            "dtype": _DTYPE,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(header_bytes)))
        stream.write(header_bytes)
        for data in chunks:
            stream.write(data)


def _parse(blob):
    """Split a file's bytes into (header length, header dict, byte buffer),
    checking the framing and the JSON."""
    if len(blob) < 8:
        raise SafetensorsError("file shorter than the 8-byte header length")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if header_len > len(blob) - 8:
        raise SafetensorsError(f"header length {header_len} exceeds the file size")
    try:
        header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafetensorsError(f"header is not UTF-8 JSON: {error}") from error
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object")
    return header_len, header, blob[8 + header_len:]


def _check_metadata(metadata):
    """Check that the `__metadata__` entry maps strings to strings."""
    if not isinstance(metadata, dict):
        raise SafetensorsError("__metadata__ is not a JSON object")
    for key, value in metadata.items():
        if not isinstance(value, str):
            raise SafetensorsError(f"metadata value for {key!r} is not a string")


def _check_entry(name, entry):
    """Check one tensor entry of the header and return (begin, end, shape)."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise SafetensorsError(f"{name}: entry must have exactly dtype, shape, data_offsets")
    if entry["dtype"] != _DTYPE:
        raise SafetensorsError(f"{name}: dtype {entry['dtype']!r}, only F32 is supported")
    shape = entry["shape"]
    if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise SafetensorsError(f"{name}: shape {shape!r} is not a list of non-negative ints")
    offsets = entry["data_offsets"]
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
        raise SafetensorsError(f"{name}: data_offsets {offsets!r} is not [begin, end]")
    begin, end = offsets
    if not 0 <= begin <= end:
        raise SafetensorsError(f"{name}: data_offsets {offsets!r} are not ordered")
    if end - begin != _ITEMSIZE * int(np.prod(shape, dtype=np.int64)):
        raise SafetensorsError(f"{name}: {end - begin} bytes do not match shape {shape}")
    return begin, end, shape


def read_safetensors(path):
    """Read and validate a safetensors file of F32 tensors.

    Returns (tensors, metadata): a dict name -> float32 numpy array (native byte
    order) and the metadata dict. Raises SafetensorsError if the framing, the
    JSON, any entry, or the coverage of the byte buffer (no holes, no overlaps,
    nothing past the end) is wrong.
    """
    with open(path, "rb") as stream:
        blob = stream.read()
    _, header, buffer = _parse(blob)
    metadata = header.pop("__metadata__", {})
    _check_metadata(metadata)
    spans = []
    tensors = {}
    for name, entry in header.items():
        begin, end, shape = _check_entry(name, entry)
        if end > len(buffer):
            raise SafetensorsError(f"{name}: data ends at {end}, past the {len(buffer)}-byte buffer")
        spans.append((begin, end, name))
        tensors[name] = np.frombuffer(buffer[begin:end], dtype=_LITTLE_F32) \
            .reshape(shape).astype(np.float32)
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise SafetensorsError(f"{name}: starts at {begin}, expected {position} (hole or overlap)")
        position = end
    if position != len(buffer):
        raise SafetensorsError(f"tensors cover {position} bytes, the buffer has {len(buffer)}")
    return tensors, metadata


def canonical_layout_problems(path):
    """Return a list of ways in which a (valid) file departs from the canonical
    layout this module writes: header length not a multiple of 8, tensor names
    not sorted in the header, byte buffer not in name order. Empty if canonical."""
    with open(path, "rb") as stream:
        header_len, header, _ = _parse(stream.read())
    problems = []
    if header_len % 8:
        problems.append(f"header length {header_len} is not a multiple of 8")
    names = [name for name in header if name != "__metadata__"]
    if names != sorted(names):
        problems.append("tensor names are not sorted in the header")
    by_offset = sorted(names, key=lambda name: header[name]["data_offsets"][0])
    if by_offset != sorted(names):
        problems.append("tensor data is not stored in name order")
    return problems
