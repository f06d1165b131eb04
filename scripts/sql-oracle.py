#!/usr/bin/env python3
"""Turns PostgreSQL's regression SQL into an oracle file for Airlock's differential SQL test.

Reads every `*.sql` file of a directory (libpg_query's copy of the PostgreSQL regression
suite, bundled in the pglast source distribution), removes what psql would not send to the
server (backslash meta-commands, the data blocks after `COPY ... FROM stdin`), splits the rest
into statements the way psql does (at `;` outside parentheses and `BEGIN ATOMIC ... END`
bodies, from pglast's scanner tokens) and parses each statement with pglast (libpg_query,
PostgreSQL 18 grammar). One JSON object per statement:

    {"file": "...", "line": N, "sql": "...", "parses": true|false,
     "nodes": [dangerous parse-tree node types found],
     "functions": [every FuncCall name, schema-qualified as written, lower-case],
     "copy_to_stdout": true when every CopyStmt in it is `COPY ... TO STDOUT`,
     "plan_only_nodes": [dangerous node types found only inside an EXPLAIN without ANALYZE]}

Usage: sql-oracle.py REGRESS_DIR OUT.jsonl
"""

import json
import os
import re
import sys

import pglast
from pglast import parser

# The node types the issue names: a statement holding any of them changes something.
DANGEROUS = (
    "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "TruncateStmt", "DropStmt",
    "DropdbStmt", "AlterTableStmt", "RenameStmt", "CopyStmt", "DoStmt", "CallStmt",
    "GrantStmt", "AlterRoleStmt", "CreateRuleStmt", "CreateTrigStmt", "VariableSetStmt",
)
DANGEROUS_SET = frozenset(DANGEROUS)

MAX_STATEMENT = 100 * 1024

META_LINE = re.compile(r"^\s*\\")
# A meta-command later on a line (`SELECT ... \gset`, `\parse`, `\sendpipeline`) ends the
# query before it; `\;` is psql's way of putting a `;` into the query without sending it.
META_TAIL = re.compile(r"(?<=[\s;)])\\[A-Za-z!?].*$")
ESCAPED_SEMICOLON = re.compile(r"\\;")
COPY_FROM_STDIN = re.compile(r"^\s*\\?copy\b.*\bfrom\s+stdin\b", re.IGNORECASE | re.DOTALL)
LINE_COMMENT = re.compile(r"--[^\n]*")


def psql_input(text):
    r"""What psql sends, and where: meta-command lines and the data after `COPY ... FROM stdin`
    up to `\.` are blanked (line numbers are kept), and the meta-command lines are returned as
    boundaries no statement crosses (most of them end the query buffer: \g, \gset, \gexec,
    \parse; and text a false \if skips must not swallow what follows)."""
    lines = text.split("\n")
    terminators = [i for i, line in enumerate(lines) if line.rstrip("\r") == "\\."]
    out = []
    boundaries = []
    pending = []  # lines of the statement being read, to spot `COPY ... FROM stdin;`
    in_data = False
    for i, line in enumerate(lines):
        if in_data:
            out.append("")
            if line.rstrip("\r") == "\\.":
                in_data = False
            continue
        if META_LINE.match(line):
            # `\copy t from stdin` reads its data from the following lines too.
            if COPY_FROM_STDIN.match(line.strip()) and any(t > i for t in terminators):
                in_data = True
            out.append("")
            boundaries.append(i)
            pending = []
            continue
        line = META_TAIL.sub(";", ESCAPED_SEMICOLON.sub(";", line))
        out.append(line)
        pending.append(line)
        if LINE_COMMENT.sub("", line).rstrip().endswith(";"):
            if COPY_FROM_STDIN.match(last_statement("\n".join(pending))) and any(t > i for t in terminators):
                in_data = True
            pending = []
    return "\n".join(out), boundaries


def split_psql(text, boundaries):
    """Statements of a file, split separately between meta-command lines. Returns
    (offset, statement) pairs and whether any part had to be split line by line."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    cuts = [0] + [starts[line] for line in boundaries] + [len(text)]
    result, fell_back = [], False
    for begin, end in zip(cuts, cuts[1:]):
        if not text[begin:end].strip():
            continue
        statements, fallback = split_file(text[begin:end])
        result.extend((begin + offset, sql) for offset, sql in statements)
        fell_back |= fallback
    return result, fell_back


def last_statement(text):
    """The text after the last `;` that ends a statement, ignoring the final one."""
    try:
        ends = [tok.start for tok in parser.scan(text) if tok.name == "ASCII_59"]
        cuts = [0] + [end + 1 for end in ends[:-1]]
        return LINE_COMMENT.sub("", text[cuts[-1]:])
    except parser.ParseError:
        return LINE_COMMENT.sub("", text).rstrip().rstrip(";").split(";")[-1]


def split_statements(text):
    """(offset, statement) pairs: psql's split at top-level `;`, from scanner tokens.

    Raises pglast's ParseError when the text cannot be scanned (an unterminated literal)."""
    tokens = parser.scan(text)
    result = []
    start = None
    end = None
    depth = 0
    begin_depth = 0
    words = []  # the first words of the statement, to recognise CREATE [OR REPLACE] FUNCTION
    for tok in tokens:
        if tok.name == "ASCII_59" and depth == 0 and begin_depth == 0:  # ';'
            if start is not None:
                result.append((start, text[start:end + 1]))
            start = end = None
            words = []
            continue
        if tok.name in ("SQL_COMMENT", "C_COMMENT"):
            if start is not None:
                end = tok.end
            continue
        if start is None:
            start = tok.start
        end = tok.end
        if tok.name == "ASCII_40":
            depth += 1
        elif tok.name == "ASCII_41":
            depth = max(0, depth - 1)
        if tok.kind != "NO_KEYWORD" or tok.name == "IDENT":
            word = text[tok.start:tok.end + 1].lower()
            if len(words) < 4:
                words.append(word)
            if word in ("begin", "case") and defines_routine(words):
                begin_depth += 1
            elif word == "end" and begin_depth > 0:
                begin_depth -= 1
    if start is not None:
        result.append((start, text[start:end + 1]))
    return result


def defines_routine(words):
    """psql's test: BEGIN/CASE nest only in CREATE [OR REPLACE] FUNCTION/PROCEDURE."""
    if len(words) < 2 or words[0] != "create":
        return False
    if words[1] in ("function", "procedure"):
        return True
    return len(words) >= 4 and words[1:3] == ["or", "replace"] and words[3] in ("function", "procedure")


def split_file(text):
    """Statements of a whole file. When the scanner cannot read the file (a literal it rejects),
    the file is cut at lines ending in `;` into chunks that each scan, a chunk growing while its
    error is an unterminated literal or comment; a chunk that still cannot be scanned is kept
    whole (it will not parse)."""
    try:
        return split_statements(text), False
    except parser.ParseError:
        pass
    result = []
    chunk_start = 0
    offset = 0
    for line in text.split("\n"):
        offset += len(line) + 1
        if not LINE_COMMENT.sub("", line).rstrip().endswith(";"):
            continue
        chunk = text[chunk_start:offset]
        try:
            result.extend((chunk_start + off, sql) for off, sql in split_statements(chunk))
        except parser.ParseError as error:
            if "unterminated" in str(error):
                continue  # a literal or comment spanning lines: read on
            result.append(whole(text, chunk_start, offset))
        chunk_start = offset
    if text[chunk_start:].strip():
        try:
            result.extend((chunk_start + off, sql) for off, sql in split_statements(text[chunk_start:]))
        except parser.ParseError:
            result.append(whole(text, chunk_start, len(text)))
    return [item for item in result if item is not None], True


def whole(text, begin, end):
    """A chunk the scanner rejects, as one statement without its final `;`."""
    chunk = text[begin:end]
    stripped = chunk.strip().rstrip(";").strip()
    if not LINE_COMMENT.sub("", stripped).strip():
        return None
    return (begin + chunk.index(stripped[0]), stripped)


class Findings:
    def __init__(self):
        self.nodes = set()      # dangerous node types that run
        self.planned = set()    # dangerous node types inside an EXPLAIN that only plans
        self.functions = set()  # FuncCall names
        self.copies = []        # per CopyStmt: whether it is COPY ... TO STDOUT


def walk(node, findings, planning=False):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in DANGEROUS_SET:
                (findings.planned if planning else findings.nodes).add(key)
            if key == "CopyStmt" and isinstance(value, dict):
                findings.copies.append(not value.get("is_from") and not value.get("filename")
                                       and not value.get("is_program"))
            if key == "FuncCall" and isinstance(value, dict):
                parts = [part.get("String", {}).get("sval", "")
                         for part in value.get("funcname", [])]
                findings.functions.add(".".join(parts).lower())
            inner = planning or (key == "ExplainStmt" and isinstance(value, dict) and not analyzes(value))
            walk(value, findings, inner)
    elif isinstance(node, list):
        for item in node:
            walk(item, findings, planning)


def analyzes(explain):
    """Whether EXPLAIN runs its statement: an `analyze` option that is on, read the way
    PostgreSQL's defGetBoolean reads it (no value, 1, true, on). A value it would reject
    counts as on."""
    for option in explain.get("options", []):
        elem = option.get("DefElem", {})
        if elem.get("defname") != "analyze":
            continue
        arg = elem.get("arg")
        if arg is None:
            return True
        if "Integer" in arg:
            if arg["Integer"].get("ival", 0) == 0:  # the JSON leaves out zero
                continue
            return True
        value = arg.get("String", {}).get("sval", "").lower()
        if value in ("off", "false"):
            continue
        return True
    return False


def judge(sql):
    try:
        tree = json.loads(parser.parse_sql_json(sql))
    except parser.ParseError:
        return {"parses": False, "nodes": [], "functions": [], "copy_to_stdout": False,
                "plan_only_nodes": []}
    findings = Findings()
    walk(tree, findings)
    every = findings.nodes | findings.planned
    return {
        "parses": True,
        "nodes": [name for name in DANGEROUS if name in every],
        "functions": sorted(findings.functions),
        "copy_to_stdout": bool(findings.copies) and all(findings.copies),
        # Found only inside an EXPLAIN without ANALYZE: planned, never run.
        "plan_only_nodes": [name for name in DANGEROUS if name in findings.planned - findings.nodes],
    }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: sql-oracle.py REGRESS_DIR OUT.jsonl")
    regress, out_path = sys.argv[1], sys.argv[2]
    files = sorted(f for f in os.listdir(regress) if f.endswith(".sql"))
    if not files:
        sys.exit(f"sql-oracle: no .sql files in {regress}")
    counts = {"files": 0, "statements": 0, "parse": 0, "no_parse": 0, "dangerous": 0,
              "too_long": 0, "fallback_files": 0}
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        for name in files:
            with open(os.path.join(regress, name), "rb") as f:
                raw = f.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")  # one Windows-1252 test file; bytes kept as chars
            text, boundaries = psql_input(text)
            statements, fell_back = split_psql(text, boundaries)
            counts["files"] += 1
            counts["fallback_files"] += fell_back
            for offset, sql in statements:
                if not sql.strip():
                    continue
                if len(sql.encode("utf-8")) > MAX_STATEMENT:
                    counts["too_long"] += 1
                    continue
                record = {"file": name, "line": text.count("\n", 0, offset) + 1, "sql": sql}
                record.update(judge(sql))
                counts["statements"] += 1
                counts["parse" if record["parses"] else "no_parse"] += 1
                counts["dangerous"] += bool(record["nodes"])
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, out_path)
    print(
        f"sql-oracle: pglast {pglast.__version__} (PostgreSQL {parser.get_postgresql_version()}): "
        f"{counts['files']} files ({counts['fallback_files']} split line by line), "
        f"{counts['statements']} statements, {counts['parse']} parse, "
        f"{counts['no_parse']} do not, {counts['dangerous']} with a dangerous node, "
        f"{counts['too_long']} over 100 KB skipped -> {out_path}"
    )


if __name__ == "__main__":
    main()
