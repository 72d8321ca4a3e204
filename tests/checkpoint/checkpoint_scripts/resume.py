"""Train, stop, and resume in a new process: one phase per run of this script.

``python resume.py save MODE DIR``: for each of the ten optimizers, ours and TF1's
(``tf.compat.v1.train``) each train ``SAVE_AFTER`` steps in MODE (eager, function, graph) and
save an object-based checkpoint (graph mode: also a name-based ``Saver`` checkpoint) under DIR.

``python resume.py continue MODE DIR``: in a fresh process, for each optimizer, restore into
new objects (ours from ours, ours from TF1, TF1 from ours; object-based, and ``Saver`` in graph
mode), train to ``TOTAL_STEPS`` and write the state after every step to
``DIR/<optimizer>/<writer>_to_<reader>[_saver].npz`` (keys ``<step>/<state key>``).

The test (``tests/test_checkpoint_resume.py``) compares those states with an uninterrupted
oracle run in its own process.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path[:0] = [
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
]

import numpy as np  # noqa: E402
from ckpt_harness import SAVE_AFTER, Run, resume  # noqa: E402
from optimizer_specs import SPECS  # noqa: E402

PAIRS = (("ours", "ours"), ("tf1", "ours"), ("ours", "tf1"))


def save(mode: str, directory: str) -> None:
    for spec in SPECS:
        for writer in ("ours", "tf1"):
            run = Run(writer, spec.name, mode)
            for step in range(SAVE_AFTER):
                run.step(step)
            base = os.path.join(directory, spec.name, writer)
            if mode == "graph":  # Saver first: the object-based save adds save_counter
                run.saver_save(os.path.join(base, "saver", "ckpt"))
            run.save(os.path.join(base, "object", "ckpt"))
            run.close()


def resume_all(mode: str, directory: str) -> None:
    kinds = ("object", "saver") if mode == "graph" else ("object",)
    for spec in SPECS:
        for writer, reader in PAIRS:
            for kind in kinds:
                path = os.path.join(directory, spec.name, writer, kind, "ckpt")
                path = path + "-1" if kind == "object" else path
                run = Run(reader, spec.name, mode)
                history = resume(run, path, "restore_then_first_step", name_based=(kind == "saver"))
                run.close()
                arrays = {
                    f"{SAVE_AFTER + offset}/{key}": value
                    for offset, state in enumerate(history)
                    for key, value in state.items()
                }
                suffix = "_saver" if kind == "saver" else ""
                np.savez(
                    os.path.join(directory, spec.name, f"{writer}_to_{reader}{suffix}.npz"),
                    **arrays,
                )


if __name__ == "__main__":
    phase, mode, directory = sys.argv[1:4]
    {"save": save, "continue": resume_all}[phase](mode, directory)
    print("done", phase, mode)
