#!/usr/bin/env python3
"""Rebuilds the corpus's .events files from a clone of debezium/debezium
(README.md says where each event comes from and what is changed):

    python3 extract.py /path/to/debezium-clone

Each .events file holds one Kafka message per line, "key<TAB>value", both
compact JSON ("null" for a null value), as kafka-dump --produce reads them.
"""
import json
import re
import subprocess
import sys

REPO = sys.argv[1] if len(sys.argv) > 1 else "."
OUT = sys.argv[2] if len(sys.argv) > 2 else "."


def show(tag, path):
    return subprocess.run(["git", "-C", REPO, "show", f"{tag}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def json_blocks(text):
    """The [source,json] listings of an AsciiDoc page, in order."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        if lines[i].startswith("[source,json"):
            j = lines.index("----", i + 1)
            k = lines.index("----", j + 1)
            out.append("\n".join(lines[j + 1:k]))
            i = k + 1
        else:
            i += 1
    return out


def load_doc_json(txt, version, context="mysql", schema=None):
    """A documentation listing as the JSON it shows: callouts (// <1>, <1>)
    dropped, AsciiDoc attributes filled in, the elided schema ({...}) given
    as the create event's (the pages say it is the same), and the pages'
    typos fixed (a missing comma after a key schema's name; the tutorial's
    source "name": "{debezium-version}" is its "version")."""
    txt = re.sub(r"\s*//\s*<\d+>", "", txt)
    txt = re.sub(r"(?<=[,{\[\]}\"0-9el])\s*<\d+>", "", txt)
    txt = txt.replace('"name": "{debezium-version}"', '"version": "{debezium-version}"')
    txt = txt.replace("{debezium-version}", version).replace("{context}", context)
    txt = re.sub(r'("name": "[^"]*\.Key")\n', r"\1,\n", txt)
    txt = re.sub(r'"schema": \{ ?\.\.\. ?\}', '"schema": "__SCHEMA__"', txt)
    v = json.loads(txt)
    if v.get("schema") == "__SCHEMA__":
        v["schema"] = schema
    return v


def compact(v):
    return "null" if v is None else json.dumps(v, separators=(",", ":"), ensure_ascii=False)


KEY_SCHEMA = {"type": "struct", "name": "dbserver1.inventory.customers.Key", "optional": False,
              "fields": [{"field": "id", "type": "int32", "optional": False}]}


def key(id_, with_schema, name="dbserver1.inventory.customers.Key"):
    if not with_schema:
        return {"id": id_}
    return {"schema": dict(KEY_SCHEMA, name=name), "payload": {"id": id_}}


def write(name, msgs):
    with open(f"{OUT}/{name}.events", "w") as f:
        for k, v in msgs:
            f.write(compact(k) + "\t" + compact(v) + "\n")


def doc_events(tag, path, version, keyname, context="mysql"):
    """The create, update, delete (and truncate) value listings of the
    MySQL connector page's "events" section, by their op."""
    found, schema = {}, None
    for txt in json_blocks(show(tag, path)):
        ops = re.findall(r'"op": ?"(\w)"', txt)
        if not ops or "1004" not in txt and ops[0] != "t":
            continue
        v = load_doc_json(txt, version, context, schema)
        if ops[0] == "c":
            schema = v["schema"]
        found.setdefault(ops[0], v)
    return found


# the tutorial, 1.9
TUT = "documentation/modules/ROOT/partials/modules/tutorial/"
t19 = "v1.9.7.Final"
r = load_doc_json(json_blocks(show(t19, TUT + "proc-viewing-create-event.adoc"))[1], "1.9.7.Final")
u = load_doc_json(json_blocks(show(t19, TUT + "proc-updating-database-viewing-update-event.adoc"))[1],
                  "1.9.7.Final", schema=r["schema"])
dl = json_blocks(show(t19, TUT + "proc-deleting-record-database-viewing-delete-event.adoc"))
d = load_doc_json(dl[1], "1.9.7.Final", schema=r["schema"])
tomb = load_doc_json(dl[3], "1.9.7.Final")      # the tombstone as the page prints it
write("v1.9-tutorial-1", [(key(1004, True), r), (key(1004, True), u)])
write("v1.9-tutorial-2", [(key(1004, True), d), (key(1004, True), tomb)])

# the MySQL connector's page: 1.9, 2.5, 3.0 (the page moved to a shared partial)
for tag, path, ver, name in [
        ("v1.9.7.Final", "documentation/modules/ROOT/pages/connectors/mysql.adoc", "1.9.7.Final", "v1.9-mysql"),
        ("v2.5.4.Final", "documentation/modules/ROOT/pages/connectors/mysql.adoc", "2.5.4.Final", "v2.5-mysql"),
        ("v3.0.8.Final", "documentation/modules/ROOT/partials/modules/all-connectors/shared-mariadb-mysql.adoc",
         "3.0.8.Final", "v3.0-mysql")]:
    ev = doc_events(tag, path, ver, None)
    kn = ev["c"]["schema"]["name"].replace(".Envelope", ".Key")
    write(name + "-1", [(key(1004, True, kn), ev["c"]), (key(1004, True, kn), ev["u"])])
    rest = [(key(1004, True, kn), ev["d"]), (key(1004, True, kn), None)]
    if "t" in ev:
        rest += [(key(1004, True, kn), ev["c"]), (None, ev["t"])]
    write(name + "-2", rest)

# Debezium's own serde test files (debezium-core/src/test/resources/json,
# as of 1.9.7.Final; their events say source.version 0.10.0.Final)
SERDE = "debezium-core/src/test/resources/json/"
def serde(n):
    return json.loads(show(t19, SERDE + n + ".json"))
write("serde-0.10", [
    ({"id": 1004}, serde("serde-without-schema")),
    ({"id": 1004}, serde("serde-update")),
    ({"id": 1004}, serde("serde-unwrapped")),
])
write("serde-0.10-unknown", [({"id": 1004}, serde("serde-unknown-property"))])
write("serde-0.10-schema", [({"id": 1004}, serde("serde-with-schema"))])

# geometry: the values Debezium's own test asserts for its table
# dbz_507_geometry (debezium-connector-mysql/src/test/java/io/debezium/
# connector/mysql/MySqlGeometryIT.java, assertGeomRecord, as of 2.5.4.Final):
# the WKB of each column and its SRID, as io.debezium.data.geometry.Geometry
# structs {"wkb": base64, "srid": int or null}; the envelope is the 2.5 page's
import base64
def geo(hexwkb, srid):
    return {"wkb": base64.b64encode(bytes.fromhex(hexwkb)).decode(), "srid": srid}
P11 = "0101000000000000000000F03F000000000000F03F"
LS = "01020000000200000000000000000000000000000000000000000000000000F03F000000000000F03F"
PG = ("0103000000010000000400000000000000000000000000000000000000000000000000F03F000000000000F03F"
      "000000000000F03F000000000000000000000000000000000000000000000000")
GC = ("0107000000020000000101000000000000000000F03F000000000000F03F"
      "01020000000200000000000000000000000000000000000000000000000000F03F000000000000F03F")
src = {"version": "2.5.4.Final", "connector": "mysql", "name": "dbserver1", "ts_ms": 0, "snapshot": "false",
       "db": "inventory", "table": "dbz_507_geometry", "server_id": 223344, "gtid": None,
       "file": "mysql-bin.000003", "pos": 154, "row": 0, "thread": 7, "query": None}
rows = [
    {"id": 1, "geom": geo(P11, 4326), "linestring": geo(LS, 3187), "polygon": geo(PG, None),
     "collection": geo(GC, 4326)},
    {"id": 2, "geom": geo(LS, None), "linestring": None, "polygon": None, "collection": None},
]
write("v2.5-geometry", [({"id": r["id"]}, {"before": None, "after": r, "source": dict(src, row=i), "op": "c",
                                           "ts_ms": 0}) for i, r in enumerate(rows)])
