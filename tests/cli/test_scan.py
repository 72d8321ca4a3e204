"""``python -m tfv1compat scan``: find every TF1 training-API use, classify it, rewrite it.

The corpus (``tests/scan_corpus/``: tf_slim, BERT and Estimator styles, every alias spelling)
marks each expected use with a trailing ``# scan: Name, Name`` comment; the scanner must find
exactly those. Statuses are checked against the names table (``surface.TRAIN``) and the
scanner's ``UNCHANGED`` table, never against a copy of either.
"""

from __future__ import annotations

import collections
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize

import numpy as np
import pytest
import tensorflow as tf

from tfv1compat import train
from tfv1compat.cli import scan
from tfv1compat.cli.main import run_command
from tfv1compat.install import install, provided, uninstall

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scan_corpus")
_ANNOTATION = re.compile(r"#\s*scan:\s*(?P<names>.+)$")


def _corpus_files() -> list[str]:
    found = []
    for root, _, files in os.walk(CORPUS):
        found += [os.path.join(root, f) for f in files if f.endswith(".py")]
    return sorted(found)


def _expected_uses(path: str) -> collections.Counter:
    """(line, name) of every ``# scan: A, B`` comment (real comments only, not docstrings)."""
    counts: collections.Counter = collections.Counter()
    with open(path) as f:
        for token in tokenize.generate_tokens(f.readline):
            match = _ANNOTATION.match(token.string) if token.type == tokenize.COMMENT else None
            if match:
                for name in match["names"].split(","):
                    counts[(token.start[0], name.strip())] += 1
    return counts


@pytest.fixture(scope="module")
def corpus_report() -> scan.ScanReport:
    return scan.scan_paths([CORPUS])


def test_corpus_has_the_expected_styles():
    names = {os.path.basename(p) for p in _corpus_files()}
    assert {
        "bert_optimization.py",
        "slim_train_image_classifier.py",
        "estimator_model_fn.py",
    } <= names
    assert sum(sum(_expected_uses(p).values()) for p in _corpus_files()) >= 50


@pytest.mark.parametrize("path", _corpus_files(), ids=os.path.basename)
def test_finds_exactly_the_annotated_uses(corpus_report, path):
    """Every ``# scan:`` use is reported at its line, and nothing else is (no false positives:
    docstrings, comments, ``tf.gradients`` without the argument, TF2 names like tf.nn)."""
    found = collections.Counter((u.line, u.name) for u in corpus_report.uses if u.path == path)
    assert found == _expected_uses(path)


def test_walks_directories_and_reports_no_errors(corpus_report):
    assert sorted(corpus_report.files) == _corpus_files()
    assert corpus_report.errors == []


def test_statuses_follow_the_names_table(corpus_report):
    """A name tfv1compat provides is covered (or partly, with the table's caveat)."""
    names = provided()
    checked = 0
    for use in corpus_report.uses:
        entry = names[use.name][0] if use.name in names else None
        if entry is None or (use.via == scan.TF2_TRAIN and not entry.on_tf2_train):
            continue
        expected = scan.COVERED if entry.coverage == "full" else scan.PARTIAL
        assert (use.status, use.caveat) == (expected, entry.caveat), use
        checked += 1
    assert checked >= 30


def test_tf1_machinery_works_unchanged_through_v1_but_not_through_tf2s_namespace(corpus_report):
    """``tf.compat.v1.train.Saver`` works on TF2; ``import tensorflow as tf; tf.train.Saver``
    does not exist there, and the note says how to fix it."""
    table = set(provided())
    by_via = collections.defaultdict(set)
    for use in corpus_report.uses:
        if use.name in scan.UNCHANGED and use.name not in table:
            by_via[use.via].add(use.name)
            if use.via == scan.V1_TRAIN:
                assert (use.status, use.caveat) == (scan.UNCHANGED_STATUS, scan.UNCHANGED[use.name])
            else:
                assert not hasattr(tf.train, use.name)
                assert use.status == scan.NOT_COVERED
                assert "tf.compat.v1.train.%s works unchanged" % use.name in use.caveat
    assert {"Saver", "Coordinator"} <= by_via[scan.V1_TRAIN]
    assert {"MonitoredTrainingSession", "LoggingTensorHook"} <= by_via[scan.TF2_TRAIN]


def test_colocate_gradients_with_ops_is_reported_not_dropped(corpus_report):
    """Kept on optimizer methods (TF2 always colocates), an error on TF2's tf.gradients."""
    statuses = {u.via: u.status for u in corpus_report.uses if u.name == scan.COLOCATE}
    assert statuses == {
        "Optimizer.compute_gradients": scan.PARTIAL,
        "Optimizer.minimize": scan.PARTIAL,
        "tf_slim.create_train_op": scan.PARTIAL,
        "tf.gradients": scan.NOT_COVERED,
        "tf.compat.v1.gradients": scan.UNCHANGED_STATUS,
    }


def test_unchanged_table_names_are_tf1_names():
    for name in scan.UNCHANGED:
        found = tf.compat.v1.train
        for part in name.split("."):
            found = getattr(found, part)
    # The names table wins wherever both list a name.
    for name in provided():
        if name in scan.UNCHANGED:
            assert scan.classify(name)[0] in (scan.COVERED, scan.PARTIAL)


def test_groups_and_exit_status(corpus_report):
    groups = corpus_report.groups()
    assert len({g.name for g in groups}) == len(groups)
    order = [scan.STATUS_ORDER.index(g.status) for g in groups]
    assert order == sorted(order)  # worst first
    assert corpus_report.exit_status == 1  # e.g. tf.gradients(..., colocate_gradients_with_ops)


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def _scan(text: str) -> list[scan.Use]:
    uses, error = scan.scan_source(textwrap.dedent(text))
    assert error is None
    return uses


def test_resolution_follows_python_scoping():
    """A parameter that shadows an imported namespace is not a use; class attributes of a
    covered class count once; a module-level alias reaches into functions."""
    uses = _scan(
        """
        from tensorflow.compat.v1 import train
        import tensorflow as tf

        tfv = tf.compat.v1

        def not_tf(train):
            return train.AdamOptimizer

        def uses_alias():
            return tfv.train.AdamOptimizer.GATE_OP, tf.train
        """
    )
    assert [(u.line, u.name, u.via) for u in uses] == [
        (11, "AdamOptimizer", scan.V1_TRAIN),
        (11, scan.DYNAMIC, scan.TF2_TRAIN),
    ]


def test_star_import_and_unknown_names():
    uses = _scan(
        """
        from tensorflow.compat.v1.train import *
        import tensorflow.compat.v1 as tf
        tf.train.do_quantize_training_on_graphdef(None, 8)
        tf.train.NoSuchThing()
        """
    )
    assert [(u.name, u.status) for u in uses] == [
        (scan.DYNAMIC, scan.PARTIAL),
        ("do_quantize_training_on_graphdef", scan.NOT_COVERED),
        ("NoSuchThing", scan.NOT_COVERED),
    ]
    assert "not a name of tf.compat.v1.train" in uses[2].caveat


def test_syntax_errors_are_reported_per_file_and_skipped(tmp_path):
    good = _write(tmp_path, "good.py", "import tensorflow as tf\nopt = tf.train.AdamOptimizer()\n")
    bad = _write(
        tmp_path, "bad.py", "import tensorflow as tf\ndef broken(:\n    tf.train.Saver()\n"
    )
    (tmp_path / "notes.txt").write_text("tf.train.Saver()")  # not *.py: not scanned
    report = scan.scan_paths([tmp_path])
    assert report.files == [bad, good]
    assert [(e.path, e.line) for e in report.errors] == [(bad, 2)]
    assert report.errors[0].message.startswith("SyntaxError")
    assert [(u.path, u.name) for u in report.uses] == [(good, "AdamOptimizer")]
    assert report.exit_status == 0
    assert (
        "Skipped 1 file:" in report.render_table()
        and "bad.py:2: SyntaxError" in report.render_table()
    )


def test_cli_table_json_and_exit_status(tmp_path, capsys):
    covered = _write(
        tmp_path, "covered.py", "import tensorflow as tf\nopt = tf.train.AdamOptimizer()\n"
    )
    missing = _write(
        tmp_path,
        "missing.py",
        "import tensorflow.compat.v1 as tf\n"
        "op = tf.train.do_quantize_training_on_graphdef(None, 8)\n",
    )
    assert run_command("scan", [covered]) == 0
    table = capsys.readouterr().out
    assert re.search(r"tf\.train\.AdamOptimizer\s+covered\s+1", table)
    assert "%s:2  opt = tf.train.AdamOptimizer()" % covered in table

    assert run_command("scan", [covered, missing, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["exit_status"] == 1 and report["files_scanned"] == 2
    by_name = {n["name"]: n for n in report["names"]}
    assert by_name["AdamOptimizer"]["status"] == "covered"
    assert by_name["do_quantize_training_on_graphdef"]["status"] == "not_covered"
    assert by_name["do_quantize_training_on_graphdef"]["uses"][0]["path"] == missing
    assert report["summary"] == {"not_covered": 1, "partial": 0, "unchanged": 0, "covered": 1}

    assert run_command("scan", [str(tmp_path / "nope.py")]) == 2
    assert "No such file or directory" in capsys.readouterr().out


# ------------------------------------------------------------------------------------ rewrite


def _comments(source: str) -> collections.Counter:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return collections.Counter(t.string for t in tokens if t.type == tokenize.COMMENT)


def _copy_corpus(tmp_path) -> str:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return str(target)


def test_diff_prints_the_rewrite_and_writes_nothing(tmp_path, capsys):
    corpus = _copy_corpus(tmp_path)
    before = {p: pathlib.Path(p).read_bytes() for p in scan.scan_paths([corpus]).files}
    run_command("scan", [corpus, "--diff"])
    out = capsys.readouterr().out
    assert {p: pathlib.Path(p).read_bytes() for p in before} == before
    assert "+    opt = tfv1compat.train.RMSPropOptimizer(0.01, momentum=0.9)" in out
    assert "+import tfv1compat" in out


def test_rewrite_changes_only_covered_uses_and_keeps_everything_else(tmp_path, capsys):
    """After --rewrite: no covered use is left except through names already imported from
    tfv1compat; not-covered/unchanged uses are the same; comments and formatting are kept
    (every changed line is a rewritten use or the added import); every file still compiles."""
    corpus = _copy_corpus(tmp_path)
    before = scan.scan_paths([corpus])
    sources = {p: pathlib.Path(p).read_text() for p in before.files}
    run_command("scan", [corpus, "--rewrite"])
    after = scan.scan_paths([corpus])

    def kept(report):
        return collections.Counter(
            (os.path.basename(u.path), u.name, u.status)
            for u in report.uses
            if u.status in (scan.NOT_COVERED, scan.UNCHANGED_STATUS) or u.name == scan.COLOCATE
        )

    assert kept(after) == kept(before)
    for use in after.uses:
        if use.status in (scan.COVERED, scan.PARTIAL) and use.name not in (
            scan.COLOCATE,
            scan.DYNAMIC,
        ):
            # `Adam(...)` after `from tfv1compat.train import AdamOptimizer as Adam` is fine;
            # what may not remain is an attribute of a TF namespace.
            assert use.kind == "name", use
    for path, old in sources.items():
        new = pathlib.Path(path).read_text()
        compile(new, path, "exec")
        assert _comments(new) == _comments(old), path
        old_lines, new_lines = old.splitlines(), new.splitlines()
        for line in new_lines:  # unchanged, rewritten, or an import narrowed by a split
            assert line in old_lines or "tfv1compat" in line or line.startswith("from tensorflow")
        if any("tfv1compat.train." in line for line in new_lines):
            assert new_lines.count("import tfv1compat") == 1
    assert "Rewrote 5 files." in capsys.readouterr().out


def test_rewritten_code_runs_on_tfv1compat():
    """Executing the rewrite: covered names are tfv1compat's, the rest TF's own."""
    source = textwrap.dedent(
        """
        import tensorflow as tf
        from tensorflow.compat.v1.train import AdamOptimizer as Adam, Saver  # keep me
        import tensorflow.compat.v1 as tf1

        opt = tf.train.GradientDescentOptimizer(0.1)
        base = tf1.train.Optimizer
        step = getattr(tf.compat.v1.train, "get_or_create_global_step")
        adam = Adam
        saver = Saver
        """
    )
    new, changes = scan.rewrite_source(source)
    text = new.decode()
    assert changes == 4
    assert "from tensorflow.compat.v1.train import Saver  # keep me" in text
    assert "from tfv1compat.train import AdamOptimizer as Adam" in text
    namespace: dict = {}
    exec(compile(text, "<rewritten>", "exec"), namespace)
    assert type(namespace["opt"]) is train.GradientDescentOptimizer
    assert namespace["base"] is train.Optimizer
    assert namespace["step"] is train.get_or_create_global_step
    assert namespace["adam"] is train.AdamOptimizer
    assert namespace["saver"] is tf.compat.v1.train.Saver


@pytest.mark.parametrize("name", sorted(provided()))
def test_every_provided_name_rewrites_to_the_installed_object(name):
    """For each name of the table: ``tf.compat.v1.train.<name>`` and ``from ... import <name>``
    rewrite to code that evaluates to the object install() installs (--rewrite and run agree)."""
    ours = provided()[name][1]
    attribute = "import tensorflow as tf\nvalue = tf.compat.v1.train.%s\n" % name
    sub, _, leaf = name.rpartition(".")
    imported = "from tensorflow.compat.v1.train%s import %s as value\n" % (
        "." + sub if sub else "",
        leaf,
    )
    for source in (attribute, imported):
        new, changes = scan.rewrite_source(source)
        assert changes == 1, new
        namespace: dict = {}
        exec(compile(new, "<rewritten>", "exec"), namespace)
        assert namespace["value"] is ours, new


def test_tf2_names_install_leaves_alone_are_not_rewritten():
    """``tf.train.Checkpoint`` (TF2's own, kept by install()) stays as it is; a name TF2's
    tf.train lacks (``tf.train.experimental.MixedPrecisionLossScaleOptimizer``) is an error."""
    checked = 0
    for name, (entry, _) in provided().items():
        if entry.on_tf2_train:
            continue
        source = "import tensorflow as tf\nvalue = tf.train.%s\n" % name
        assert scan.rewrite_source(source) == (source.encode(), 0)
        (use,) = _scan(source)
        in_tf2 = scan._lookup(tf.train, name) is not None
        assert use.status == (scan.UNCHANGED_STATUS if in_tf2 else scan.NOT_COVERED), name
        checked += 1
    assert checked


@pytest.mark.slow
def test_unchanged_tf1_machinery_runs_with_tfv1compat(tmp_path):
    """The UNCHANGED table's claim, checked: a queue input pipeline, MonitoredTrainingSession with
    hooks (StopAtStep, Nan, Logging, CheckpointSaver) and Saver train with tfv1compat's Adam under
    install(), and give exactly what TF1's own Adam gives in the same program."""
    data = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)

    def run(use_tfv1compat: bool, directory: str) -> tuple[int, dict]:
        if use_tfv1compat:
            install()
        try:
            with tf.Graph().as_default():
                tf.compat.v1.set_random_seed(0)
                (x,) = tf.compat.v1.train.slice_input_producer([data], shuffle=False)
                batch = tf.compat.v1.train.batch([x], batch_size=4)
                w = tf.compat.v1.get_variable("w", initializer=tf.ones([3, 1]))
                loss = tf.reduce_mean(tf.square(tf.matmul(batch, w) - 1.0))
                step = tf.compat.v1.train.get_or_create_global_step()
                opt = tf.compat.v1.train.AdamOptimizer(0.1)
                assert isinstance(opt, train.AdamOptimizer) == use_tfv1compat
                train_op = opt.minimize(loss, global_step=step)
                hooks = [
                    tf.compat.v1.train.StopAtStepHook(last_step=3),
                    tf.compat.v1.train.NanTensorHook(loss),
                    tf.compat.v1.train.LoggingTensorHook({"loss": loss}, every_n_iter=1),
                ]
                with tf.compat.v1.train.MonitoredTrainingSession(
                    checkpoint_dir=directory, hooks=hooks, save_checkpoint_steps=3
                ) as sess:
                    while not sess.should_stop():
                        sess.run(train_op)
            # A fresh graph restores the last checkpoint by name with TF1's Saver.
            reader = tf.train.load_checkpoint(directory)
            names = {k for k in reader.get_variable_to_shape_map() if not k.startswith("batch")}
            return int(reader.get_tensor("global_step")), {k: reader.get_tensor(k) for k in names}
        finally:
            uninstall()

    ours = run(True, str(tmp_path / "ours"))
    theirs = run(False, str(tmp_path / "theirs"))
    assert ours[0] == theirs[0] == 3
    assert {"w", "w/Adam", "w/Adam_1", "beta1_power", "beta2_power"} <= set(ours[1])
    assert ours[1].keys() == theirs[1].keys()
    for key in ours[1]:
        np.testing.assert_array_equal(ours[1][key], theirs[1][key], err_msg=key)


@pytest.mark.slow
def test_command_line_entry_point_in_a_subprocess(tmp_path):
    """``cli`` as a process: exit status 1 on the corpus, JSON on stdout."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tfv1compat.cli.main import run_command; "
            "raise SystemExit(run_command('scan', sys.argv[1:]))",
            CORPUS,
            "--json",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["exit_status"] == 1


def test_a_file_libcst_cannot_parse_is_reported_not_fatal(monkeypatch):
    """Python accepts it but this libcst cannot (newer syntax): skipped with the reason."""

    def refuse(source):
        raise scan.cst.ParserSyntaxError(
            "unsupported syntax", lines=["x = 1\n"], raw_line=1, raw_column=0
        )

    monkeypatch.setattr(scan.cst, "parse_module", refuse)
    uses, error = scan.scan_source("import tensorflow as tf\ntf.train.AdamOptimizer()\n")
    assert uses == []
    assert error is not None and "cannot parse this file (Python accepts it)" in error.message
