"""Executes notebooks headless with the workbench kernel and writes the executed copies plus one HTML report.

Called by ./workbench (with Debian's /usr/bin/python3, which has nbclient and nbconvert):
    run_notebooks.py --out DIR [--smoke] [--timeout SECONDS] NOTEBOOK...
Every notebook runs, even after an earlier one failed; the exit status is 1 if any cell failed.
"""
import argparse
import atexit
import html
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

KERNEL = "stylealign-java"
# A healthy kernel answers in ~2 s. rapaio-jupyter-kernel 3.0.1 has two start-up races (about one start in eight here
# hung or exited; fixed by environment/kernel-fix). A start that still fails is retried with a fresh kernel, with
# longer waits in case the machine is just busy.
STARTUP_TIMEOUTS = (20, 30, 60)
START_ATTEMPTS = len(STARTUP_TIMEOUTS)
START_FAILURES = ("didn't respond", "died before replying")


def execute(path: Path, out_dir: Path, timeout: int):
    start = time.monotonic()
    for attempt in range(1, START_ATTEMPTS + 1):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            kernel_name=KERNEL,
            timeout=timeout,
            startup_timeout=STARTUP_TIMEOUTS[attempt - 1],
            # The kernel starts in the notebook's own folder: relative paths mean the same as interactively.
            resources={"metadata": {"path": str(path.parent)}},
        )
        error = None
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            error = e
        except RuntimeError as e:
            # nbclient has already shut that kernel down; drop its exit hook, which would fail on the cleared manager.
            atexit.unregister(client._cleanup_kernel)
            if not any(f in str(e) for f in START_FAILURES):
                raise
            print(f"notebook {path.name}: kernel did not start ({e}); its log ends:\n{kernel_log_tail()}", flush=True)
            if attempt == START_ATTEMPTS:
                raise
            print(f"notebook {path.name}: retrying with a fresh kernel", flush=True)
            continue
        break
    seconds = time.monotonic() - start
    # A failed notebook is kept too: its last output shows the error.
    nbformat.write(nb, out_dir / path.name)
    return nb, seconds, error


def kernel_log_tail(lines=15):
    """The last lines the kernel wrote (environment/kernel.sh sends its stderr there): why a start failed."""
    log = Path(os.environ.get("STYLEALIGN_KERNEL_LOG", Path(__file__).resolve().parent / ".state" / "kernel.log"))
    try:
        return "".join(log.read_text(errors="replace").splitlines(keepends=True)[-lines:])
    except OSError as e:
        return f"(no kernel log: {e})"


def first_heading(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path, help="report folder (notebooks/ and index.html go there)")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--timeout", type=int, default=900, help="per-cell limit in seconds")
    ap.add_argument("notebooks", nargs="+", type=Path)
    args = ap.parse_args()

    out = args.out.resolve()
    nb_out = out / "notebooks"
    nb_out.mkdir(parents=True, exist_ok=True)
    os.environ["STYLEALIGN_REPORTS"] = str(out)
    os.environ["STYLEALIGN_SMOKE"] = "1" if args.smoke else "0"
    mode = "smoke" if args.smoke else "full"

    exporter = HTMLExporter()
    results = []
    for path in args.notebooks:
        path = path.resolve()
        print(f"notebook {path.name} ({mode}) ...", flush=True)
        nb, seconds, error = execute(path, nb_out, args.timeout)
        body, _ = exporter.from_notebook_node(nb)
        (nb_out / (path.stem + ".html")).write_text(body, encoding="utf-8")
        status = "ok" if error is None else "FAILED"
        print(f"notebook {path.name}: {status} in {seconds:.1f} s", flush=True)
        if error is not None:
            # nbclient's message carries the cell source and the kernel's traceback (javac or exception text).
            print(str(error)[-4000:], file=sys.stderr, flush=True)
        results.append((path, nb, seconds, error))

    write_report(out, results, mode, exporter)
    failed = sum(1 for r in results if r[3] is not None)
    print(f"report: {out / 'index.html'}")
    print(f"notebooks: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def write_report(out: Path, results, mode, exporter):
    """One page: a summary table, then every executed notebook in order (figures and tables included)."""
    report = nbformat.v4.new_notebook()
    report.metadata = results[0][1].metadata if results else {}
    rows = []
    for path, nb, seconds, error in results:
        title = first_heading(nb, path.stem)
        anchor = path.stem
        status = "ok" if error is None else "<b>FAILED</b>"
        rows.append(f"<tr><td><a href='#{anchor}'>{html.escape(path.name)}</a></td><td>{html.escape(title)}</td>"
                    f"<td>{status}</td><td>{seconds:.1f} s</td>"
                    f"<td><a href='notebooks/{path.stem}.html'>html</a> "
                    f"<a href='notebooks/{path.name}'>ipynb</a></td></tr>")
    summary = (f"<h1>StyleAlign Workbench report</h1>"
               f"<p>Mode: <b>{mode}</b>; generated {time.strftime('%Y-%m-%d %H:%M:%S')}. "
               f"Figures are also saved as files under <code>figures/</code>, tables under <code>tables/</code>.</p>"
               f"<table><tr><th>notebook</th><th>title</th><th>status</th><th>time</th><th>files</th></tr>"
               f"{''.join(rows)}</table>")
    report.cells.append(nbformat.v4.new_markdown_cell(summary))
    for path, nb, seconds, error in results:
        report.cells.append(nbformat.v4.new_markdown_cell(f"<a id='{path.stem}'></a>\n\n---\n"))
        for i, cell in enumerate(nb.cells):
            # ids are unique per notebook only; the report joins them all
            report.cells.append(nbformat.from_dict({**cell, "id": f"{path.stem[:50]}-{i}"}))
    body, _ = exporter.from_notebook_node(report)
    (out / "index.html").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
