"""The scan on a Spark cluster: the same report as ``unspun scan``, from a collection too large for one machine.

Every judgement is the Rust library's (``unspun._native``); Spark moves the data between its steps:

1. **read**: files are read by the library on the executors (large plain JSON Lines in pieces of lines,
   every other file whole; Parquet through Spark), giving the documents and the input problems; documents are put in
   the scan's fixed order (by id, then path) and repeated ids made unique, as a scan does. With
   ``boilerplate``, each site's page furniture is found first (every line counted once per address across
   the cluster) and made spaces in the texts, as ``unspun scan --boilerplate`` reads them.
2. **statistics**: copies of a text are brought together by the hash of its words; each partition counts its
   distinct texts (stem and phrase document counts) and the partitions' counts are summed (a tree
   reduce), then broadcast.
3. **keys**: each document's LSH band keys in every view (signed with the collection's statistics), its
   sampled passages and, for a text too short to judge, its words' hash, exploded and grouped (the band
   join, a shuffle): each bucket of two or more documents joins them.
4. **components**: the connected components of those joins, by minimum-label propagation with pointer
   jumping over DataFrames.
5. **judge**: documents are partitioned by component, and each partition's components are judged by the
   library as a scan of the whole collection judges them (candidates with the same bucket caps,
   near-duplicate groups, verification with the texts at hand, direction, clusters), with the collection's
   statistics (see ``unspun::pipeline::parts``).
6. **write**: the report's lines (documents, pairs, clusters, summary, each written by the library) are
   sorted into the scan's order and written as JSON Lines part files, concatenated into one file when the
   output is local, and as Parquet tables.

The answer does not depend on the number of partitions: each component is judged whole, whatever else
shares its partition, and everything else is a sum or a sort.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .. import _native, _settings_json

__all__ = ["SparkScan", "scan"]

#: Settings the cluster job does not take: the semantic view (nearest neighbours are not bucketed), a
#: reference collection, candidates without verification.
_UNSUPPORTED = ("model", "semantic_threshold", "against", "candidates_only")

#: Components' labels (16 bytes a document) are broadcast to the judging step up to this many documents.
BROADCAST_LABELS = 20_000_000

#: Local plain JSON Lines files at least this large are read in pieces, one task a piece, rather than whole
#: by one task.
SPLIT_BYTES = 32 << 20
#: A piece is at most this large, and a file split in pieces has one a partition at least.
PIECE_BYTES = 32 << 20


@dataclass
class SparkScan:
    """What a run did: the report's place, its counts, and the time each step took (seconds)."""

    output: str
    documents: int
    pairs: int
    clusters: int
    components: int
    largest_component: int
    label_rounds: int
    #: Band keys, passage samples and short texts' hashes shuffled by the band join (one row each).
    keys: int = 0
    #: Joins of a document to the first of a bucket it shares (the edges of the components).
    edges: int = 0
    #: Candidate pairs the judging step verified (the summary's `candidate_pairs`).
    candidate_pairs: int = 0
    steps: Dict[str, float] = field(default_factory=dict)
    #: The input problems, as ``unspun scan`` says them (``PATH:LINE: message``), in its order; also in the
    #: report's summary line.
    problems: List[str] = field(default_factory=list)


def _is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file:")


def _local(path: str) -> str:
    """A local path from a ``file:`` URI (``file:/x`` or ``file:///x``), or the path itself."""
    return "/" + path[len("file:") :].lstrip("/") if path.startswith("file:") else path


def _uri(path: str) -> str:
    return "file://" + os.path.abspath(_local(path)) if _is_local(path) else path


def scan(
    spark: Any,
    inputs: Sequence[str],
    output: str,
    partitions: Optional[int] = None,
    parquet: bool = True,
    overwrite: bool = False,
    **settings: Any,
) -> SparkScan:
    """Scans the articles under ``inputs`` (files and folders as ``unspun scan`` takes them, or any path
    Spark reads: ``hdfs://``, ``s3a://``…; ``*.parquet`` paths as tables of records) on the cluster of the
    SparkSession ``spark`` and writes the report to the folder ``output``: ``report.jsonl`` (the JSON Lines
    report of ``unspun scan --format jsonl``, when ``output`` is local), ``jsonl/`` (the same as ordered
    part files) and, with ``parquet``, ``parquet/documents``, ``parquet/pairs`` and ``parquet/clusters``.
    ``partitions`` is the number of partitions of each step (default: Spark's default parallelism);
    ``settings`` are those of :func:`unspun.scan` but the semantic view, ``against`` and
    ``candidates_only``. An ``output`` folder that holds anything is refused (a report of another run would
    mix with this one's) unless ``overwrite``, which deletes it first; one inside an input folder is refused
    (a later run would read the report as articles)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    from pyspark.storagelevel import StorageLevel

    _check_settings(settings)
    sc = spark.sparkContext
    if partitions is not None and int(partitions) < 1:
        raise ValueError("partitions must be at least 1")
    n_parts = int(partitions or sc.defaultParallelism)
    _check_inputs(inputs, output, overwrite)
    _prepare_output(sc, output, overwrite)
    # A task is one core's work: the library uses as many threads as Spark gives a task.
    settings.setdefault("threads", int(sc.getConf().get("spark.task.cpus", "1")))
    config = _settings_json(settings)
    spark.conf.set("spark.sql.shuffle.partitions", str(n_parts))
    steps: Dict[str, float] = {}
    clock = [time.monotonic()]
    # Spark's jobs are grouped by step (`read`, `statistics`, …), for its status API and UI.
    sc.setJobGroup("read", "unspun: read")

    def step(name: str, following: Optional[str] = None) -> None:
        now = time.monotonic()
        steps[name] = round(now - clock[0], 3)
        clock[0] = now
        if following:
            sc.setJobGroup(following, f"unspun: {following}")

    # 1. Read, then the scan's fixed order: by id, then path, equal ones in read order. A document's
    # rank in that order numbers it from here on; repeated ids get `#2`, `#3`… in that order.
    try:
        rows, problems = _read(spark, list(inputs), config, n_parts)
    except Exception as e:
        # Damaged input with strict=True, refused on an executor: the library's InputError and its
        # message, not Spark's exception around the worker's trace.
        said = _INPUT_ERROR.search(str(e))
        if said is None:
            raise
        raise _native.InputError(said.group(1)) from None
    furniture_lines = None
    if settings.get("boilerplate"):
        rows, furniture_lines = _strip_furniture(sc, rows, config)
    schema = T.StructType(
        [
            T.StructField("id", T.StringType(), False),
            T.StructField("text", T.StringType(), False),
            T.StructField("date", T.StringType(), True),
            T.StructField("extra", T.StringType(), True),
            T.StructField("path", T.StringType(), False),
            T.StructField("file_no", T.LongType(), False),
            T.StructField("place", T.LongType(), False),
        ]
    )
    ordered = spark.createDataFrame(rows, schema).orderBy("id", "path", "file_no", "place").rdd.persist()
    docs = spark.createDataFrame(_ranked(ordered), _doc_schema())
    docs = docs.repartition(n_parts, "exact").persist(StorageLevel.MEMORY_AND_DISK)
    total = docs.count()
    ordered.unpersist()
    step("read", "statistics")

    # 2. Statistics: every copy of a text is in one partition, so each distinct text is counted once.
    # A partition's rows come in the order the shuffle delivers them: each step puts them in the fixed
    # order (the rank's), so the library meets them as a scan of the whole would, for any partitioning.
    def count(part: Iterator[Any]) -> Iterator[bytes]:
        records = [(r.uid, r.text, r.date, r.extra, r.path) for r in sorted(part, key=_rank)]
        yield _native.count(records, config)

    statistics = docs.rdd.mapPartitions(count).treeReduce(_native.add_statistics)
    shared = sc.broadcast(statistics)
    step("statistics", "band join")

    # 3. Keys and the band join.
    def link(part: Iterator[Any]) -> Iterator[Tuple[Any, ...]]:
        native = _native.Part(config, shared.value, total)
        ranks: Dict[str, int] = {}
        records = []
        for r in sorted(part, key=_rank):
            ranks[r.uid] = r.rank
            records.append((r.uid, r.text, r.date, r.extra, r.path))
        for uid, exact_hash, keys, line, skipped in native.links(records):
            yield (ranks[uid], exact_hash, keys, line.rstrip("\n"), skipped)

    link_schema = T.StructType(
        [
            T.StructField("rank", T.LongType(), False),
            T.StructField("exact", T.LongType(), False),
            T.StructField(
                "keys",
                T.ArrayType(T.StructType([T.StructField("table", T.LongType()), T.StructField("key", T.LongType())])),
            ),
            T.StructField("line", T.StringType(), False),
            T.StructField("skipped", T.BooleanType(), False),
        ]
    )
    links = spark.createDataFrame(docs.rdd.mapPartitions(link), link_schema).persist(StorageLevel.MEMORY_AND_DISK)
    entries = links.select("rank", F.explode("keys").alias("k")).select("rank", "k.table", "k.key")
    buckets = entries.groupBy("table", "key").agg(F.min("rank").alias("root"), F.collect_list("rank").alias("members"))
    buckets = buckets.filter(F.size("members") > 1)
    edges = (
        buckets.select("root", F.explode("members").alias("member"))
        .filter(F.col("member") != F.col("root"))
        .distinct()
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    n_edges = edges.count()
    n_keys = entries.count()
    tables = [r.table for r in entries.select("table").distinct().collect()]
    skipped = links.filter(F.col("skipped")).count()
    step("band join", "components")

    # 4. Connected components.
    labels, rounds = _components(spark, edges)
    sizes = labels.groupBy("label").count()
    summary_of_sizes = sizes.agg(
        F.count("*").alias("n"), F.max("count").alias("largest"), F.sum("count").alias("nodes")
    ).collect()[0]
    step("components", "judge")

    # 5. Judge each partition's components.
    native_summary = _native.Part(config, statistics, total)

    def judge(part: Iterator[Any]) -> Iterator[Tuple[int, int, int, str]]:
        native = _native.Part(config, shared.value, total)
        ranks: Dict[str, int] = {}
        records = []
        for r in sorted(part, key=_rank):
            ranks[r.uid] = r.rank
            records.append((r.uid, r.text, r.date, r.extra, r.path))
        if not records:
            return
        pairs, clusters, stats = native.judge(records)
        for a, b, line in pairs:
            yield (1, ranks[a], ranks[b], line.rstrip("\n"))
        for first, line in clusters:
            yield (2, ranks[first], 0, line.rstrip("\n"))
        yield (9, 0, 0, stats)

    # Each document goes to its component's partition in one shuffle (the labels sent whole to every
    # task while they are few, else joined by rank first).
    labels = labels.withColumnRenamed("node", "rank")
    if int(summary_of_sizes.nodes or 0) <= BROADCAST_LABELS:
        labels = F.broadcast(labels)
    members = docs.join(labels, "rank").repartition(n_parts, "label")
    line_schema = T.StructType(
        [
            T.StructField("section", T.IntegerType(), False),
            T.StructField("first", T.LongType(), False),
            T.StructField("second", T.LongType(), False),
            T.StructField("line", T.StringType(), False),
        ]
    )
    judged = spark.createDataFrame(members.rdd.mapPartitions(judge), line_schema).persist(StorageLevel.MEMORY_AND_DISK)
    parts_stats = [r.line for r in judged.filter(F.col("section") == 9).select("line").collect()]
    candidate_pairs = sum(json.loads(p)["candidate_pairs"] for p in parts_stats)
    step("judge", "write")

    # 6. Write.
    banded = sorted({p for p in (native_summary.proposer(t) for t in tables) if p is not None})
    summary = native_summary.summary_line(total, skipped, problems, parts_stats, banded, furniture_lines)
    summary = summary.rstrip("\n")
    document_lines = links.select(
        F.lit(0).alias("section"), F.col("rank").alias("first"), F.lit(0).cast("long").alias("second"), "line"
    )
    summary_line = spark.createDataFrame([(3, 0, 0, summary)], line_schema)
    report = document_lines.unionByName(judged.filter(F.col("section") < 9)).unionByName(summary_line)
    report = report.orderBy("section", "first", "second").select("line")
    jsonl_dir = output.rstrip("/") + "/jsonl"
    report.write.mode("overwrite").text(jsonl_dir)
    if _is_local(output):
        _concatenate(Path(_local(jsonl_dir)), Path(_local(output)) / "report.jsonl")
    n_pairs = judged.filter(F.col("section") == 1).count()
    n_clusters = judged.filter(F.col("section") == 2).count()
    step("write", "parquet")
    if parquet:
        # Columns are the report's fields told apart by case, as JSON tells them (an input's `Title` and
        # `title` are two fields of a document: Spark took them as one column and stopped), and a cluster's
        # parents a map from member to parent (inferred, they were a column per id of the collection).
        case_sensitive = spark.conf.get("spark.sql.caseSensitive", "false")
        spark.conf.set("spark.sql.caseSensitive", "true")
        try:
            for section, name in ((0, "documents"), (1, "pairs"), (2, "clusters")):
                source = document_lines if section == 0 else judged.filter(F.col("section") == section)
                reader = spark.read.schema(_cluster_schema()) if section == 2 else spark.read
                table = reader.json(source.select("line").rdd.map(lambda r: r.line))
                if table.columns:
                    table.drop("type").write.mode("overwrite").parquet(f"{output.rstrip('/')}/parquet/{name}")
        finally:
            spark.conf.set("spark.sql.caseSensitive", case_sensitive)
        step("parquet")
    for frame in (judged, links, edges, docs):
        frame.unpersist()
    sc.setJobGroup("", "")
    shared.destroy()
    return SparkScan(
        output=output,
        documents=total,
        pairs=n_pairs,
        clusters=n_clusters,
        components=int(summary_of_sizes.n or 0),
        largest_component=int(summary_of_sizes.largest or 0),
        label_rounds=rounds,
        keys=n_keys,
        edges=n_edges,
        candidate_pairs=candidate_pairs,
        steps=steps,
        problems=[_said(p) for p in problems],
    )


def _said(problem: Tuple[Any, ...]) -> str:
    """A problem ``(path, line, record, message)`` as ``unspun scan`` says it: ``PATH:LINE: message``, with
    control and format characters escaped (a file name or a message quoting the input can hold them)."""
    path, line, _, message = problem
    return _escaped(f"{path}:{line}: {message}" if line is not None else f"{path}: {message}")


def _escaped(text: str) -> str:
    """``text`` with control and format characters written as escapes and a backslash doubled, for a
    terminal, as the command line writes them."""
    return _native.escaped(text)


def _check_settings(settings: Dict[str, Any]) -> None:
    """Refuses the settings the job does not take."""
    for name in _UNSUPPORTED:
        if settings.get(name) not in (None, False, [], ()):
            raise ValueError(f"the Spark job does not take the setting {name!r}")


def _check_inputs(inputs: Sequence[str], output: str, overwrite: bool = False) -> None:
    """Refuses what cannot be read or written before the cluster works: standard input, a local path that
    does not exist, a local output that is a file or a folder holding files (unless ``overwrite``), an output
    folder inside a local input folder (the next run would read the report), and one holding an input
    (``overwrite`` would delete it, and the report would be written among the articles)."""
    if not inputs:
        raise ValueError("no INPUT given")
    out = os.path.abspath(_local(output)) if _is_local(output) else None
    if out is not None and os.path.isfile(out):
        raise ValueError(f"OUTPUT {output!r} is a file: OUTPUT is the folder the report is written to")
    for path in inputs:
        if path == "-":
            raise ValueError("the Spark job does not read standard input: give files or folders")
        if not _is_local(path):
            continue
        local = _local(path)
        if not os.path.exists(local):
            raise FileNotFoundError(2, "no such file or folder", local)
        absolute = os.path.abspath(local)
        if out is not None and (out == absolute or (os.path.isdir(local) and out.startswith(absolute + os.sep))):
            raise ValueError(f"OUTPUT {output!r} is inside the input {path!r}: a later run would read the report")
        if out is not None and absolute.startswith(out + os.sep):
            raise ValueError(
                f"OUTPUT {output!r} holds the input {path!r}: the report is written to a folder of its own "
                "(--overwrite would delete the input)"
            )
    if out is not None and os.path.isdir(out) and os.listdir(out) and not overwrite:
        raise ValueError(_HOLDS_FILES.format(output=output))


def _prepare_output(sc: Any, output: str, overwrite: bool) -> None:
    """Refuses an output that is a file, or a folder holding anything unless ``overwrite`` (then deleted),
    through Hadoop's file system, so local and cluster paths alike."""
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(_uri(output))
    fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return
    if fs.getFileStatus(path).isFile():
        raise ValueError(f"OUTPUT {output!r} is a file: OUTPUT is the folder the report is written to")
    if len(fs.listStatus(path)) and not overwrite:
        raise ValueError(_HOLDS_FILES.format(output=output))
    fs.delete(path, True)


_HOLDS_FILES = (
    "OUTPUT {output!r} holds files already (a report of another run would mix with this one's); "
    "--overwrite deletes it first"
)


def _cluster_schema() -> Any:
    """A cluster line's fields (``unspun::report::ClusterEntry``) as Parquet columns."""
    from pyspark.sql import types as T

    return T.StructType(
        [
            T.StructField("members", T.ArrayType(T.StringType(), False), False),
            T.StructField("parents", T.MapType(T.StringType(), T.StringType(), True), False),
            T.StructField("source", T.StringType(), True),
            T.StructField("type", T.StringType(), False),
        ]
    )


def _rank(row: Any) -> int:
    return int(row.rank)


def _doc_schema() -> Any:
    from pyspark.sql import types as T

    return T.StructType(
        [
            T.StructField("rank", T.LongType(), False),
            T.StructField("uid", T.StringType(), False),
            T.StructField("text", T.StringType(), False),
            T.StructField("date", T.StringType(), True),
            T.StructField("extra", T.StringType(), True),
            T.StructField("path", T.StringType(), False),
            T.StructField("exact", T.LongType(), False),
        ]
    )


# The last line of an executor's trace of the library's InputError.
_INPUT_ERROR = re.compile(r"^unspun\.InputError: (.+)$", re.MULTILINE)

# An id as a repeated one is renamed: `#` and a number at its end.
_SUFFIXED = re.compile(r"#[0-9]+$")


def _ranked(ordered: Any) -> Any:
    """The documents of ``ordered`` (an RDD of rows in the fixed order) with their rank, their id made
    unique (``#k`` for the k-th of an id, counting from the partitions before) and their words' hash.
    Two passes and no shuffle: each partition's length and runs of one id at its ends first."""

    def ends(index: int, rows: Iterator[Any]) -> Iterator[Tuple[Any, ...]]:
        n, first, last, run = 0, None, None, 0
        # Ids repeated inside the partition, and ids that end as a renamed one would (`x#2`): a repeated
        # id skips a suffix that names another document already, as a scan's does.
        repeated, suffixed = set(), set()
        for r in rows:
            if n == 0:
                first = r.id
            run = run + 1 if r.id == last else 1
            if run == 2:
                repeated.add(r.id)
            if _SUFFIXED.search(r.id):
                suffixed.add(r.id)
            last = r.id
            n += 1
        yield (index, n, first, last, run, sorted(repeated), sorted(suffixed))

    shape = sorted(ordered.mapPartitionsWithIndex(ends).collect())
    starts: Dict[int, Tuple[int, int]] = {}
    rank, last, run = 0, None, 0
    repeated: set = set()
    for index, n, first, tail, tail_run, inside, _ in shape:
        starts[index] = (rank, run if first == last else 0)
        repeated.update(inside)
        if n:
            if first == last:
                repeated.add(first)
            whole = tail_run == n
            run = run + n if whole and first == last else tail_run
            last = tail
        rank += n
    # For each repeated id, the suffixes other documents' ids take already.
    taken: Dict[str, set] = {}
    for *_, suffixed in shape:
        for other in suffixed:
            base, k = other.rsplit("#", 1)
            if base in repeated and k == str(int(k)):
                taken.setdefault(base, set()).add(int(k))

    def following(base: str, n: int) -> int:
        """The suffix after ``n`` that no other document's id takes."""
        n += 1
        while n in taken.get(base, ()):
            n += 1
        return n

    def number(index: int, rows: Iterator[Any]) -> Iterator[Tuple[Any, ...]]:
        rank, carried = starts[index]
        batch = list(rows)
        hashes = _native.exact_hashes([r.text for r in batch])
        previous, k = (batch[0].id if batch else None), carried
        # The k-th document of an id takes the (k-1)-th free suffix from 2; a run carried from the
        # partitions before is counted up to where it stands.
        n = 1
        if previous is not None:
            for _ in range(max(carried - 1, 0)):
                n = following(previous, n)
        for r, exact in zip(batch, hashes):
            if r.id == previous:
                k += 1
            else:
                k, n = 1, 1
            previous = r.id
            if k > 1:
                n = following(r.id, n)
            uid = r.id if k == 1 else f"{r.id}#{n}"
            yield (rank, uid, r.text, r.date, r.extra, r.path, exact)
            rank += 1

    return ordered.mapPartitionsWithIndex(number)


def _components(spark: Any, edges: Any) -> Tuple[Any, int]:
    """Each node's component, named by its smallest node: `(node, label)` rows, and the rounds it took.
    Each round takes the smallest label among a node and its neighbours, then the label of that label
    (pointer jumping, so a chain of length d settles in about log d rounds)."""
    from pyspark.sql import functions as F

    both = edges.select(F.col("root").alias("src"), F.col("member").alias("dst")).unionByName(
        edges.select(F.col("member").alias("src"), F.col("root").alias("dst"))
    )
    labels = both.select(F.col("src").alias("node")).distinct().withColumn("label", F.col("node")).localCheckpoint()
    rounds = 0
    while True:
        rounds += 1
        heard = both.join(labels, both.src == labels.node).select(F.col("dst").alias("node"), "label")
        lowest = labels.unionByName(heard).groupBy("node").agg(F.min("label").alias("label"))
        jump = lowest.alias("x").join(lowest.alias("y"), F.col("x.label") == F.col("y.node"), "left")
        jumped = jump.select(
            F.col("x.node").alias("node"),
            F.least(F.col("x.label"), F.coalesce(F.col("y.label"), F.col("x.label"))).alias("label"),
        ).localCheckpoint()
        before = labels.withColumnRenamed("label", "before")
        changed = jumped.join(before, "node").filter(F.col("label") != F.col("before")).count()
        labels = jumped
        if changed == 0:
            return labels, rounds


def _strip_furniture(sc: Any, rows: Any, config: str) -> Tuple[Any, int]:
    """``boilerplate``: the rows with each site's page furniture made spaces in their texts, and the number of
    furniture lines. Every line of every page with a URL is counted once per address across the cluster (a
    shuffle of its key and address), the lines on ``FURNITURE_PAGES`` addresses of their site or more are
    broadcast, and each partition's texts are stripped of them, as a scan with ``--boilerplate`` reads its
    texts."""
    lines = rows.mapPartitions(lambda part: _native.furniture_lines([(r[1], r[3]) for r in part]))
    pages = _native.FURNITURE_PAGES
    counted = lines.distinct().map(lambda line: (line[0], 1)).reduceByKey(lambda a, b: a + b)
    keys = sorted(counted.filter(lambda kv: kv[1] >= pages).keys().collect())
    shared = sc.broadcast(keys)

    def strip(part: Iterator[Tuple[Any, ...]]) -> Iterator[Tuple[Any, ...]]:
        held = list(part)
        texts = _native.strip_furniture(shared.value, config, [(r[1], r[3]) for r in held])
        for r, text in zip(held, texts):
            yield (r[0], text, *r[2:])

    return rows.mapPartitions(strip), len(keys)


def _read(spark: Any, inputs: List[str], config: str, n_parts: int) -> Tuple[Any, List[Tuple[Any, ...]]]:
    """The documents of ``inputs`` as an RDD of rows ``(id, text, date, extra, path, file_no, place)``,
    and the input problems in the order a scan meets them (finding the files, then file by file, line by
    line)."""
    sc = spark.sparkContext
    parquet = [p for p in inputs if p.rstrip("/").endswith(".parquet") or _parquet_folder(p)]
    local = [p for p in inputs if p not in parquet and _is_local(p)]
    remote = [p for p in inputs if p not in parquet and not _is_local(p)]
    problems: List[Tuple[int, int, int, Tuple[Any, ...]]] = []
    # (path as reports show it, id, name as the system has it: they differ where a name is not UTF-8)
    files: List[Tuple[str, str, str]] = []
    if local:
        found, found_problems = _native.discover([_local(p) for p in local], config)
        files.extend(found)
        problems.extend((-1, 0, k, p) for k, p in enumerate(found_problems))
    for uri in remote:
        files.extend((path, Path(path).stem, path) for path in sorted(sc.binaryFiles(uri).keys().collect()))
    rdds = []
    whole = []
    for file_no, (path, doc_id, name) in enumerate(files):
        plain_jsonl = path.endswith((".jsonl", ".ndjson")) and _is_local(path)
        if plain_jsonl and os.path.getsize(_local(name)) >= SPLIT_BYTES:
            rdds.append(_pieces_of_lines(sc, _local(name), path, doc_id, file_no, config, n_parts))
        else:
            whole.append((file_no, path, doc_id, name))
    # Local files are read by the executors by their paths (as binaryFiles would read file: URIs, on the
    # executor's machine), not through Hadoop's paths, which take the names as glob patterns (a file named
    # `a?.txt` matched its neighbours; commas, brackets, braces and colons broke the job).
    mine = [item for item in whole if _is_local(item[1])]
    whole = [item for item in whole if not _is_local(item[1])]
    if mine:

        def read_local(item: Tuple[int, str, str, str]) -> Iterator[Tuple[str, Any]]:
            file_no, path, doc_id, name = item
            try:
                with open(_local(name), "rb") as f:
                    data = f.read()
            except OSError as e:
                yield ("problem", (file_no, 0, 0, (path, None, None, f"cannot read: {e.strerror or e}")))
                return
            rows, found = _native.read_file(path, doc_id, data, config)
            for r in rows:
                yield ("doc", (*r[:5], file_no, r[5]))
            for k, p in enumerate(found):
                yield ("problem", (file_no, 0, k, p))

        rdds.append(sc.parallelize(mine, max(1, min(n_parts, len(mine)))).flatMap(read_local))
    if whole:
        names = {_uri(path): (file_no, path, doc_id) for file_no, path, doc_id, _ in whole}
        shared = sc.broadcast(names)

        def read_whole(item: Tuple[str, bytes]) -> Iterator[Tuple[str, Any]]:
            file_no, path, doc_id = shared.value[_uri(_local(item[0]))]
            rows, found = _native.read_file(path, doc_id, item[1], config)
            for r in rows:
                yield ("doc", (*r[:5], file_no, r[5]))
            for k, p in enumerate(found):
                yield ("problem", (file_no, 0, k, p))

        rdds.append(sc.binaryFiles(",".join(names), minPartitions=n_parts).flatMap(read_whole))
    for file_no, path in enumerate(parquet, start=len(files)):
        from pyspark.sql import functions as F

        table = spark.read.parquet(path)
        records = table.select(F.to_json(F.struct("*"))).rdd.map(lambda r: r[0]).zipWithIndex()
        rdds.append(records.mapPartitions(_line_reader(path, Path(path).stem, file_no, config)))
    if not rdds:
        return sc.parallelize([], 1), [p for *_, p in sorted(problems, key=lambda x: x[:3])]
    both = sc.union(rdds).persist()
    problems.extend(both.filter(lambda x: x[0] == "problem").map(lambda x: x[1]).collect())
    rows = both.filter(lambda x: x[0] == "doc").map(lambda x: x[1])
    return rows, [p for *_, p in sorted(problems, key=lambda x: x[:3])]


def _parquet_folder(path: str) -> bool:
    """Whether ``path`` is a local folder that is one Parquet table as Spark writes one (such as this job's
    ``parquet/documents``): part files ending ``.parquet``, besides Spark's marker and checksum files."""
    if not _is_local(path) or not os.path.isdir(_local(path)):
        return False
    names = [n for n in os.listdir(_local(path)) if not n.startswith(("_", "."))]
    return bool(names) and all(n.endswith(".parquet") for n in names)


def _pieces_of_lines(sc: Any, name: str, path: str, doc_id: str, file_no: int, config: str, n_parts: int) -> Any:
    """The documents and problems of the local JSON Lines file ``name`` (``path`` as reports show it), read
    by the executors in pieces of bytes, each piece the lines that start in it, numbered as a scan numbers
    them: a first pass counts each piece's line feeds. Read by Python's own file reading, not Hadoop's: a
    line ends at a line feed only (Hadoop also ends one at a lone carriage return) and its bytes reach the
    library as they are (Hadoop's text decodes them, and a line that is not UTF-8 lost its problem), and a
    name is a name, not a glob pattern, in any encoding."""
    size = os.path.getsize(name)
    pieces = max(1, min(size, max(n_parts, -(-size // PIECE_BYTES))))
    bounds = [(size * k // pieces, size * (k + 1) // pieces) for k in range(pieces)]

    def feeds(bound: Tuple[int, int]) -> int:
        start, end = bound
        count = 0
        with open(name, "rb") as f:
            f.seek(start)
            while start < end:
                chunk = f.read(min(1 << 20, end - start))
                if not chunk:
                    break
                count += chunk.count(b"\n")
                start += len(chunk)
        return count

    counts = sc.parallelize(bounds, pieces).map(feeds).collect()
    before = [0, *itertools.accumulate(counts)][:-1]

    def read(item: Tuple[Tuple[int, int], int]) -> Iterator[Tuple[str, Any]]:
        (start, end), line = item
        with open(name, "rb") as f:
            if start > 0:
                # A line that starts before the piece is the piece before's: skip to the next line.
                f.seek(start - 1)
                if f.read(1) != b"\n":
                    f.readline()
                    line += 1
            at = f.tell()
            batch = []
            while at < end:
                text = f.readline()
                if not text:
                    break
                line += 1
                batch.append((line, text[:-1] if text.endswith(b"\n") else text))
                at += len(text)
        return _lines_read(path, doc_id, file_no, config, batch)

    return sc.parallelize(list(zip(bounds, before)), pieces).flatMap(read)


def _lines_read(
    path: str, doc_id: str, file_no: int, config: str, batch: List[Tuple[int, bytes]]
) -> Iterator[Tuple[str, Any]]:
    """The documents and problems of numbered JSON Lines records (``(line, bytes)``) of the file ``path``,
    as a scan reads those lines."""
    rows, found = _native.read_lines(path, doc_id, batch, config)
    for r in rows:
        yield ("doc", (*r[:5], file_no, r[5]))
    for k, p in enumerate(found):
        yield ("problem", (file_no, p[1] or 0, k, p))


def _line_reader(path: str, doc_id: str, file_no: int, config: str) -> Any:
    """Reads a partition of a file's numbered JSON Lines records (``(line, index)`` from
    ``zipWithIndex``; a line is its index plus one) as a scan reads those lines."""

    def read(lines: Iterator[Tuple[Any, int]]) -> Iterator[Tuple[str, Any]]:
        batch = [(n + 1, line if isinstance(line, bytes) else str(line).encode("utf-8")) for line, n in lines]
        return _lines_read(path, doc_id, file_no, config, batch)

    return read


def _concatenate(parts: Path, into: Path) -> None:
    """The ordered part files of a text output, one after the other, into one file."""
    tmp = into.with_name(into.name + ".tmp")
    with open(tmp, "wb") as out:
        for part in sorted(parts.glob("part-*")):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    os.replace(tmp, into)


def main(argv: Optional[Iterable[str]] = None) -> int:
    """``python -m unspun.spark INPUT... OUTPUT``: see ``--help``."""
    import argparse

    class Parser(argparse.ArgumentParser):
        # Usage errors exit 1, as the command line's do: 2 says the run had input problems.
        def error(self, message: str) -> Any:
            self.print_usage(sys.stderr)
            self.exit(1, f"{self.prog}: error: {message}\n")

    parser = Parser(
        prog="python -m unspun.spark",
        description="Scan articles on a Spark cluster: the report of `unspun scan --format jsonl`, as "
        "OUTPUT/report.jsonl (local output), OUTPUT/jsonl/ (ordered part files) and OUTPUT/parquet/.",
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="files and folders of articles, or paths Spark reads"
    )
    parser.add_argument("output", metavar="OUTPUT", help="the folder to write the report to")
    parser.add_argument("--master", help="the Spark master (default: spark-submit's, else local[*])")
    parser.add_argument(
        "--partitions", type=_positive, help="partitions of each step (default: Spark's parallelism)"
    )
    parser.add_argument("--no-parquet", action="store_true", help="do not write the Parquet tables")
    parser.add_argument("--settings", default="{}", help="settings as a JSON object, as unspun.scan takes them")
    parser.add_argument(
        "--overwrite", action="store_true", help="delete OUTPUT first when it holds files (else it is refused)"
    )
    parser.epilog = (
        "Input problems (damaged lines, unreadable files) are printed on stderr as by `unspun scan`, and in the "
        "report's summary; the exit status is then 2."
    )
    args = parser.parse_args(None if argv is None else list(argv))
    # What can be told wrong without a cluster is, before one starts (its start takes seconds).
    try:
        settings = json.loads(args.settings)
    except json.JSONDecodeError as e:
        parser.error(f"--settings is not JSON: {e}")
    if not isinstance(settings, dict):
        parser.error("--settings is a JSON object of settings, as unspun.scan takes them")
    try:
        _check_settings(settings)
        _native.discover([], _settings_json(settings))
        _check_inputs(args.inputs, args.output, args.overwrite)
        _check_master(args.master)
    except (TypeError, ValueError, OSError) as e:
        parser.error(_escaped(str(e)))
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("unspun")
    # The executors' Python is this one, which has the package, unless PYSPARK_PYTHON names another (on a
    # cluster of several machines, an interpreter that has the package on every one).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        result = scan(
            spark,
            args.inputs,
            args.output,
            partitions=args.partitions,
            parquet=not args.no_parquet,
            overwrite=args.overwrite,
            **settings,
        )
    except (ValueError, OSError) as e:
        # Refused output, or damaged input with strict=True: the message, not a trace from the cluster
        # (the library's InputError is escaped for a terminal already).
        said = str(e) if isinstance(e, _native.InputError) else _escaped(str(e))
        print(f"unspun: {said}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    for problem in result.problems:
        print(f"unspun: {problem}", file=sys.stderr)
    print(json.dumps(result.__dict__))
    return 2 if result.problems else 0


# The masters Spark takes (its SparkContext's own forms): told before a cluster is asked for, whose
# failure to start is a Java trace and a Python one.
_MASTERS = re.compile(r"local(\[(\*|\d+)(,\s*\d+)?\])?|local-cluster\[\d+,\s*\d+,\s*\d+\]|yarn|(spark|k8s|mesos)://\S+")


def _check_master(master: Optional[str]) -> None:
    if master is not None and not _MASTERS.fullmatch(master):
        raise ValueError(
            f"--master {master!r} is not a Spark master: local, local[N], local[*], spark://HOST:PORT, yarn or "
            "k8s://URL"
        )


def _positive(value: str) -> int:
    import argparse

    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n
