#!/usr/bin/env python3
"""SQLite FTS5 peer for the Verbatim search benchmark (compare_test.go).

build DB CUES.jsonl   index the cues, print {"seconds": s, "cpu_seconds": c, "rows": n}
serve DB              answer queries, one JSON line in ({"Text": ...}), one out ({"ms", "cpu_ms", "hits"})

A query is what a viewer types: words (all must match) and "quoted
phrases". Each word becomes an FTS5 string (so no word is read as an
operator); phrases stay phrases. Each search is the page of 20 by rank plus
the exact count, as the archive's search answers both.
"""
import json
import sqlite3
import sys
import time


def build(db, cues):
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(
        "CREATE VIRTUAL TABLE cues USING fts5("
        "text, rec UNINDEXED, lang UNINDEXED, start_ms UNINDEXED, speaker UNINDEXED, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    start, start_cpu = time.perf_counter(), time.process_time()
    rows = 0
    batch = []
    with open(cues, encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            batch.append((c["text"], c["recording_id"], c["lang"], c["start_ms"], c["speaker"]))
            if len(batch) == 10000:
                con.executemany("INSERT INTO cues VALUES (?,?,?,?,?)", batch)
                rows += len(batch)
                batch = []
    con.executemany("INSERT INTO cues VALUES (?,?,?,?,?)", batch)
    rows += len(batch)
    con.execute("INSERT INTO cues(cues) VALUES ('optimize')")
    con.commit()
    con.close()
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - start_cpu, "rows": rows}))


def fts_query(text):
    parts = text.split('"')
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1:
            words = part.split()
            if words:
                out.append('"' + " ".join(w.replace('"', "") for w in words) + '"')
        else:
            out.extend('"' + w + '"' for w in part.split())
    return " ".join(out)


def serve(db):
    """Answer one query per line of stdin (JSON with "Text") with one line
    {"ms": wall, "cpu_ms": cpu, "hits": total}, so that the Go side can run
    the engines in turns, query by query."""
    con = sqlite3.connect(db)
    for line in sys.stdin:
        q = json.loads(line)
        m = fts_query(q["Text"])
        start, start_cpu = time.perf_counter(), time.process_time()
        page = con.execute(
            "SELECT rec, lang, start_ms, speaker, highlight(cues, 0, '<mark>', '</mark>') "
            "FROM cues WHERE cues MATCH ? ORDER BY rank LIMIT 20", (m,)
        ).fetchall()
        total = con.execute("SELECT count(*) FROM cues WHERE cues MATCH ?", (m,)).fetchone()[0]
        wall, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
        del page
        sys.stdout.write(json.dumps({"ms": wall, "cpu_ms": cpu, "hits": total}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(__doc__)
