#!/usr/bin/env python3
"""Folio's benchmark: time, peak memory and PDF size of `folio build`, and the ratio to Typst.

    python3 benches/bench.py              # every case, 10 paired runs each
    python3 benches/bench.py --runs 20    # more runs
    python3 benches/bench.py --quick      # 3 runs, no 300-section issue

Cases (each built RUNS times; the figure is the median):
  seed          issues/2023-12.json: warm image cache, cold (--no-cache), print edition
  camera        the same issue with camera-size photos (3000x2000 event, 1200x1600
                portrait): warm and cold, paired with Typst's compile of the same
                newsletter when the `typst` Python module is installed
  sections-N    stress issues of N sections (the seed's sections repeated), N = 25, 75,
                150, 300, warm cache

Folio's time is the whole `folio build` process; Typst's is its compile inside this
already started Python process (../shared/bench/README.md). Folio and Typst alternate,
A B A B, so a noisy machine slows both alike; the ratio is of the two medians.
Peak RSS is the child's maximum resident set (wait4). Nothing is written in the
repository except target/: inputs and PDFs live in a temporary folder.
"""
import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
FOLIO = os.path.join(ROOT, "target", "release", "folio")
SEED = os.path.join(ROOT, "issues", "2023-12.json")
STRESS = (25, 75, 150, 300)


# A child forked from this (large) Python process counts the parent's pages in its peak
# RSS until it execs, so Folio is started by this small C program, which reports the peak
# of what it starts (wait4). Built with gcc into the temporary folder.
PEAK_C = r"""
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    pid_t pid = fork();
    if (pid == 0) { execv(argv[1], argv + 1); _exit(127); }
    int status; struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 126;
    fprintf(stderr, "peak-rss-kb %ld\n", ru.ru_maxrss);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
"""
PEAK = None


def build_peak(tmp):
    global PEAK
    src = os.path.join(tmp, "peak.c")
    with open(src, "w") as f:
        f.write(PEAK_C)
    exe = os.path.join(tmp, "peak")
    if subprocess.run(["gcc", "-O2", "-o", exe, src], capture_output=True).returncode == 0:
        PEAK = exe


def run_folio(args):
    """One `folio build`: (seconds, peak RSS in MB). Exits on a failed build."""
    # --root /: the generated issues in the temporary folder use the repository's brand.
    cmd = [FOLIO, "build", "--root", "/", *args]
    t = time.perf_counter()
    proc = subprocess.run([PEAK, *cmd] if PEAK else cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"folio build {' '.join(args)} failed:\n{err}")
    kb = [int(l.split()[1]) for l in err.splitlines() if l.startswith("peak-rss-kb ")]
    return dt, (kb[-1] / 1024 if kb else float("nan"))


def size_kb(path):
    return (os.path.getsize(path) + 1023) // 1024


def ms(s):
    return f"{s * 1000:7.1f} ms"


def ensure_pillow():
    try:
        import PIL  # noqa: F401
        return True
    except ImportError:
        pass
    print("  installing Pillow with pip (for the camera-size photos)")
    flags = ["--quiet", "--disable-pip-version-check", "--no-input"]
    r = subprocess.run([sys.executable, "-m", "pip", "install", *flags, "Pillow"])
    if r.returncode != 0:
        r = subprocess.run([sys.executable, "-m", "pip", "install", *flags, "--break-system-packages", "Pillow"])
    try:
        import PIL  # noqa: F401,F811
        return True
    except ImportError:
        return False


def camera_photos(out):
    """The peer benchmark's photos (../shared/bench/make_photos.py), or stand-ins like them."""
    os.makedirs(out, exist_ok=True)
    maker = os.path.join(SHARED, "bench", "make_photos.py")
    if os.path.exists(maker):
        subprocess.run([sys.executable, maker, out], check=True, stdout=subprocess.DEVNULL)
    else:
        from PIL import Image, ImageFilter
        import random
        for name, (w, h) in {"event-3000x2000.jpg": (3000, 2000), "kamal-1200x1600.jpg": (1200, 1600),
                             "jordan-1200x1600.jpg": (1200, 1600)}.items():
            rnd = random.Random(name)
            img = Image.frombytes("RGB", (w, h), rnd.randbytes(w * h * 3)).filter(ImageFilter.GaussianBlur(3))
            img.save(os.path.join(out, name), "JPEG", quality=92)
    return {"event": os.path.join(out, "event-3000x2000.jpg"), "portrait": os.path.join(out, "kamal-1200x1600.jpg")}


def load_seed():
    with open(SEED, encoding="utf-8") as f:
        doc = json.load(f)
    base = os.path.dirname(SEED)
    doc["brand"] = os.path.normpath(os.path.join(base, doc["brand"]))
    for s in doc["sections"]:
        if "photo" in s:
            s["photo"] = os.path.normpath(os.path.join(base, s["photo"]))
        for item in s.get("body", []):
            if isinstance(item, dict) and "image" in item:
                item["image"] = os.path.normpath(os.path.join(base, item["image"]))
    return doc


def with_photos(doc, photos):
    doc = copy.deepcopy(doc)
    for s in doc["sections"]:
        if "photo" in s:
            s["photo"] = photos["portrait"]
        for item in s.get("body", []):
            if isinstance(item, dict) and "image" in item:
                item["image"] = photos["event"]
    return doc


def stress(doc, n):
    """The seed's sections repeated to `n`, each heading numbered."""
    out = copy.deepcopy(doc)
    src = doc["sections"]
    out["sections"] = []
    for i in range(n):
        s = copy.deepcopy(src[i % len(src)])
        if "heading" in s:
            s["heading"] = f"{s['heading']} ({i + 1})"
        out["sections"].append(s)
    return out


def write(doc, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    return path


def typst_compiler():
    """A function compiling the peer's Typst newsletter, or None (with the reason)."""
    try:
        import typst
    except ImportError:
        return None, "the typst Python module is not installed (pip install typst==0.15.2)"
    src = os.path.join(SHARED, "bench", "typst-2023-12.typ")
    if not os.path.exists(src):
        return None, f"{src} not found"
    peer = tempfile.mkdtemp(prefix="folio-peer-")
    shutil.copy(src, peer)
    camera_photos(os.path.join(peer, "photos"))
    fonts = [p for p in ["/usr/share/fonts/truetype/noto"] if os.path.isdir(p)]

    def compile_once():
        t = time.perf_counter()
        typst.compile(os.path.join(peer, "typst-2023-12.typ"), output=os.path.join(peer, "typst.pdf"),
                      root=peer, font_paths=fonts)
        return time.perf_counter() - t

    compile_once()  # the first compile loads fonts; Typst's figure is a warm compile
    note = "" if fonts else " (Noto fonts not installed: apt-get install -y fonts-noto-core)"
    return compile_once, note


def case(label, args, runs, pdf, peer=None):
    """Build `runs` times (paired with `peer` when given); print and return the medians."""
    times, rss, peer_times = [], [], []
    for _ in range(runs):
        t, r = run_folio(args)
        times.append(t)
        rss.append(r)
        if peer:
            peer_times.append(peer())
    t = statistics.median(times)
    line = f"  {label:<34} {ms(t)}   peak RSS {max(rss):6.1f} MB   PDF {size_kb(pdf):6d} KB"
    if peer_times:
        p = statistics.median(peer_times)
        line += f"   Typst {ms(p)}   ratio {t / p:.3f}"
    print(line, flush=True)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="3 runs, and no 300-section issue")
    a = ap.parse_args()
    runs = 3 if a.quick else a.runs
    sizes = [n for n in STRESS if not (a.quick and n > 150)]

    print("== release build")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print("  " + subprocess.run([FOLIO, "--version"], capture_output=True, text=True).stdout.strip())
    tmp = tempfile.mkdtemp(prefix="folio-bench-")
    build_peak(tmp)
    if not PEAK:
        print("  (gcc not found: peak RSS not measured)")
    try:
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        print(f"\n== {os.path.relpath(SEED, ROOT)}, {runs} runs each (median)")
        pdf = os.path.join(out, "seed.pdf")
        run_folio([SEED, "-o", pdf])  # warms the image cache
        case("warm image cache", [SEED, "-o", pdf], runs, pdf)
        case("cold (--no-cache)", [SEED, "-o", pdf, "--no-cache"], runs, pdf)
        ppdf = os.path.join(out, "seed-print.pdf")
        run_folio([SEED, "-o", ppdf, "--profile", "print"])
        case("print edition, warm", [SEED, "-o", ppdf, "--profile", "print"], runs, ppdf)

        seed = load_seed()
        if ensure_pillow():
            photos = camera_photos(os.path.join(tmp, "photos"))
            camera = write(with_photos(seed, photos), os.path.join(tmp, "camera.json"))
            peer, note = typst_compiler()
            print(f"\n== camera-size photos (3000x2000, 1200x1600), {runs} paired runs")
            if peer is None:
                print(f"  (no Typst: {note})")
            elif note:
                print(f"  {note.strip()}")
            cpdf = os.path.join(out, "camera.pdf")
            run_folio([camera, "-o", cpdf])
            case("warm image cache", [camera, "-o", cpdf], runs, cpdf, peer)
            case("cold (--no-cache)", [camera, "-o", cpdf, "--no-cache"], runs, cpdf, peer)
        else:
            print("\n== camera-size photos: skipped (Pillow could not be installed)")

        print(f"\n== stress issues (the seed's sections repeated), warm cache, {runs} runs")
        for n in sizes:
            path = write(stress(seed, n), os.path.join(tmp, f"sections-{n}.json"))
            spdf = os.path.join(out, f"sections-{n}.pdf")
            run_folio([path, "-o", spdf])
            case(f"{n} sections", [path, "-o", spdf], runs, spdf)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
