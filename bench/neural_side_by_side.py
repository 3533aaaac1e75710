"""What the neural side-by-side scripts share (transformer_lm_side_by_side.py, images_side_by_side.py): run a C++
benchmark program (which dumps its data into a folder) and the same model written in PyTorch on that data,
alternating, and print the medians of their JSON outputs with the ratios."""
import json
import statistics
import subprocess
import sys
import tempfile


def run(repeat, cpp_command, python_script, python_args, header, throughputs, lower_better, compared):
    """cpp_command(dump) and [sys.executable, python_script, dump, *python_args] each print one JSON object per run.
    throughputs: keys where higher is better (ratio ouroboros / PyTorch); lower_better: keys where lower is better
    (ratio PyTorch / ouroboros); compared: (key, label) pairs printed side by side without a ratio."""
    runs = {"ouroboros": [], "pytorch": []}
    with tempfile.TemporaryDirectory() as dump:
        for r in range(repeat):
            cpp = subprocess.run(cpp_command(dump), check=True, capture_output=True, text=True)
            runs["ouroboros"].append(json.loads(cpp.stdout))
            py = subprocess.run([sys.executable, python_script, dump, *python_args], check=True, capture_output=True,
                                text=True)
            runs["pytorch"].append(json.loads(py.stdout))
            print(f"run {r + 1}/{repeat} done", file=sys.stderr)
    med = {side: {k: statistics.median(run[k] for run in rs) for k in rs[0] if isinstance(rs[0][k], float)}
           for side, rs in runs.items()}
    print(header(runs["ouroboros"][0]))
    print(f"{'':24}{'ouroboros':>12}{'PyTorch':>12}{'ratio':>8}")
    for key in [*throughputs, *lower_better]:
        o, p = med["ouroboros"][key], med["pytorch"][key]
        ratio = o / p if key in throughputs else p / o
        print(f"{key:24}{o:12.1f}{p:12.1f}{ratio:8.2f}")
    for key, label in compared:
        print(f"{label:24}{med['ouroboros'][key]:12.3f}{med['pytorch'][key]:12.3f}")
