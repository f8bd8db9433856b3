"""Check the built documentation site as a person sees it, in headless Chromium.

    python docs/check_site.py docs/_build/html [--out docs/_build/screenshots]

For each main page it takes a screenshot with Chromium (Debian's ``chromium``
package) and checks that the page rendered (a screenshot of more than one
colour) and says what it should: the gallery shows a thumbnail of its own for
every example and no broken one, the API pages link to scikit-learn's
documentation, and the user-facing pages carry no work notes (issue numbers).
Every user-guide, results, API and example page is opened too: each image
it shows and each page it links to within the site must exist, and each
example page must show what its code printed or drew. It prints one line
per failed check (and per main page), and exits 1 if any fails; look at the
screenshots in ``--out`` too. ``.ci/run`` runs it on every change.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Pages a reader meets first: (path in the site, what must be in its HTML).
PAGES = {
    "index.html": ["skae"],
    "user_guide/index.html": ["User guide"],
    "api.html": ["AutoencoderTransformer", "AutoencoderAnomalyDetector"],
    "generated/skae.AutoencoderTransformer.html": ["scikit-learn.org", "fit_transform"],
    "generated/skae.AutoencoderAnomalyDetector.html": ["scikit-learn.org", "IsolationForest"],
    "auto_examples/index.html": ["sphx-glr-thumbcontainer"],
    "user_guide/anomaly_detection.html": ["IsolationForest"],
    "results/index.html": ["Results"],
    "results/pca.html": ["main job", "the linear path", "mse_vs_n_components1.png"],
    "results/training.html": ["time_to_quality.png", "plain Keras"],
    "results/anomaly.html": ["ranks.png"],
    "results/sequences.html": ["roc.png", "LSTM AE"],
    "results/serving.html": ["serving.png", "cold start"],
    "user_guide/deploying.html": ["trusted_types", "onnxruntime"],
    "auto_examples/plot_onnx_export.html": ["onnxruntime", "same labels"],
    "design.html": ["import_graph.png", "Adding a family"],
    "generated/skae.RecurrentAutoencoder.html": ["frame_length", "scikit-learn.org"],
}

#: Work notes that do not belong on a user's page.
WORK_NOTES = re.compile(r"\(issue \d+\)|\bissue \d+\b|this session|a scratch (copy|run|script)", re.I)


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("no Chromium found: install Debian's chromium package (apt-get install chromium)")


def screenshot(chromium, url, path, profile):
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1280,1600",
         f"--screenshot={path}", url],
        check=True, capture_output=True, timeout=120,
    )


def rendered(png):
    """Whether a screenshot holds more than one colour (a blank page holds one)."""
    import matplotlib.image

    pixels = matplotlib.image.imread(png)
    return float(pixels[..., :3].std()) > 0.01


def gallery_thumbnails(html_dir):
    """(examples, thumbnails, examples with sphinx-gallery's placeholder, broken ones).

    An example's thumbnail is its own when the example drew a figure
    (``sphx_glr_<name>_001.png``); otherwise sphinx-gallery puts its
    placeholder there, under the same name.
    """
    index = (html_dir / "auto_examples" / "index.html").read_text()
    thumbs = re.findall(r'<img[^>]+src="([^"]*_images/sphx_glr_([^"]+)_thumb\.png)"', index)
    examples = re.findall(r'class="sphx-glr-thumbcontainer"', index)
    placeholders, broken = [], []
    for src, name in thumbs:
        if not (html_dir / "auto_examples" / src).resolve().exists():
            broken.append(name)
        elif not (html_dir / "_images" / f"sphx_glr_{name}_001.png").exists():
            placeholders.append(name)
    broken += re.findall(r"sphx_glr_[^\"]*broken[^\"]*", index)
    return len(examples), thumbs, placeholders, broken


#: The folders whose every page is opened: user guide, results, API, examples.
ALL_PAGES = ("user_guide", "results", "generated", "auto_examples")


def missing_targets(html_dir, page):
    """The images and site-internal links of ``page`` whose files do not exist."""
    text = page.read_text()
    missing = []
    targets = re.findall(r'<img[^>]+src="([^"]+)"', text) + re.findall(r'<a[^>]+href="([^"]+)"', text)
    for target in targets:
        if re.match(r"[a-z]+:", target) or target.startswith(("#", "//")):
            continue  # another site, mail, or a place on this page
        path = (page.parent / target.split("#")[0].split("?")[0]).resolve()
        if not path.exists():
            missing.append(target)
    return missing


def example_has_output(page):
    """Whether an example's page shows what it printed or drew."""
    text = page.read_text()
    return "sphx-glr-script-out" in text or "sphx-glr-single-img" in text or \
        "sphx-glr-multi-img" in text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path, help="the built site (docs/_build/html)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the screenshots (default: HTML/../screenshots)")
    args = parser.parse_args(argv)
    html_dir = args.html.resolve()
    out = (args.out or html_dir.parent / "screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    chromium = browser()
    failures = []

    def check(ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as profile:
        for page, needed in PAGES.items():
            path = html_dir / page
            if not path.exists():
                check(False, f"{page}: not built")
                continue
            text = path.read_text()
            for word in needed:
                check(word in text, f"{page}: holds {word!r}")
            notes = sorted(set(m.group(0) for m in WORK_NOTES.finditer(re.sub(r"<[^>]+>", " ", text))))
            check(not notes, f"{page}: no work notes" + (f" (found {notes})" if notes else ""))
            png = out / (page.replace("/", "_").removesuffix(".html") + ".png")
            screenshot(chromium, path.as_uri(), png, profile)
            check(png.exists() and rendered(png), f"{page}: rendered, screenshot {png}")
    pages = sorted(p for folder in ALL_PAGES for p in (html_dir / folder).glob("*.html"))
    for page in pages:
        name = page.relative_to(html_dir).as_posix()
        missing = missing_targets(html_dir, page)
        if missing:
            check(False, f"{name}: missing {missing[:5]}")
        if name.startswith("auto_examples/plot_") and not example_has_output(page):
            check(False, f"{name}: the example shows no output")
    check(len(pages) > 30, f"{len(pages)} user-guide, results, API and example pages: every "
          "image and site link there exists, every example shows its output")
    n_examples, thumbs, placeholders, broken = gallery_thumbnails(html_dir)
    check(n_examples >= 10 and len(thumbs) == n_examples,
          f"gallery: {len(thumbs)} thumbnails for {n_examples} examples")
    check(not placeholders, "gallery: every thumbnail is the example's own figure"
          + (f" (placeholders: {placeholders})" if placeholders else ""))
    check(not broken, "gallery: no broken example" + (f" ({broken})" if broken else ""))
    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
