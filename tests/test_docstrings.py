"""The estimators' docstrings: every parameter documented in order, shared entries word for word."""

import inspect
import re
from collections import defaultdict

import pytest

import skae

SECTION = re.compile(r"^    (Parameters|Attributes|See Also|Notes|Examples|References)\n    -+\n",
                     re.MULTILINE)


def parameter_entries(cls):
    """``{name: (header, description)}`` of the Parameters section, in order."""
    doc = cls.__doc__
    start = re.search(r"^    Parameters\n    -+\n", doc, re.MULTILINE).end()
    following = SECTION.search(doc, start)
    section = doc[start:following.start() if following else None]
    entries, name = {}, None
    for line in section.splitlines():
        if re.match(r"^    \S", line):
            name = line.split(" : ")[0].strip()
            entries[name] = [line.strip(), []]
        elif name is not None:
            entries[name][1].append(line.strip())
    return {k: (header, " ".join(" ".join(body).split())) for k, (header, body) in entries.items()}


ESTIMATORS = [getattr(skae, name) for name in sorted(skae._ESTIMATORS)]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_documented_in_the_signature_order(cls):
    signature = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert list(parameter_entries(cls)) == signature


#: The autoencoders of one network each. The two ensembles give some shared
#: names another meaning (the imputer holds out entries, not rows; the
#: detector's n_components is each member's), so they write their own.
AUTOENCODERS = [cls for cls in ESTIMATORS
                if cls.__name__ not in {"AutoencoderAnomalyDetector", "AutoencoderImputer"}]


def test_entries_shared_by_several_autoencoders_agree_word_for_word():
    # Entries with the same header (name, type and default) must say the
    # same thing; an estimator with another default writes its own entry.
    texts = defaultdict(lambda: defaultdict(list))
    for cls in AUTOENCODERS:
        for header, text in parameter_entries(cls).values():
            texts[header][text].append(cls.__name__)
    differing = {header: {t[:60]: names for t, names in variants.items()}
                 for header, variants in texts.items() if len(variants) > 1}
    assert not differing
