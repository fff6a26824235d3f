"""unspun.Signer: signatures and band keys as NumPy arrays, the same candidates a scan's banding finds."""

import itertools

import pytest

import unspun

np = pytest.importorskip("numpy")


def test_shapes_types_and_determinism(seeds):
    texts = [t for _, t in seeds]
    signer = unspun.Signer()
    assert signer.views == ["words", "content", "lead"]
    sig = signer.sign(texts)
    assert sig.shape == (5, 128) and sig.dtype == np.uint32
    assert (signer.sign(texts) == sig).all()
    assert not (unspun.Signer(seed=1).sign(texts) == sig).all()
    params = signer.params("words")
    keys = signer.band_keys(sig)
    assert keys.shape == (5, params["bands"]) and keys.dtype == np.uint64
    # Identical texts: identical signatures and keys; an empty one: empty lanes.
    twice = signer.sign([texts[0], texts[0], ""], view="content")
    assert (twice[0] == twice[1]).all() and (twice[2] == 0xFFFFFFFF).all()
    assert unspun.Signer(hashes=64, views=["lead"], lead=30).sign(texts, "lead").shape == (5, 64)


def test_band_keys_find_the_pairs_a_candidates_only_scan_finds(seeds):
    # A scan that only bands (candidates_only) pairs the documents sharing a band key in any view.
    texts = [t for _, t in seeds]
    settings = dict(threshold={"words": 0.2, "content": 0.2, "lead": 0.2})
    signer = unspun.Signer(**settings)
    found = set()
    for view in signer.views:
        keys = signer.band_keys(signer.sign(texts, view), view)
        for i, j in itertools.combinations(range(len(texts)), 2):
            if (keys[i] == keys[j]).any():
                found.add((str(i), str(j)))
    scanned = {(p.a, p.b) for p in unspun.scan(texts, candidates_only=True, **settings).pairs}
    assert found == scanned and len(found) >= 3


def test_bad_signer_settings_and_views():
    with pytest.raises(TypeError, match="unknown setting 'min_words'"):
        unspun.Signer(min_words=3)
    with pytest.raises(ValueError, match="not signed here"):
        unspun.Signer(views=["words"]).sign(["a text"], view="lead")
    with pytest.raises(ValueError, match="expected an"):
        unspun.Signer().band_keys(np.zeros((2, 3), dtype=np.uint32))
    # Anything but unsigned 32-bit values is not a signature: refused, not cast.
    with pytest.raises(TypeError, match="unsigned integer"):
        unspun.Signer().band_keys(np.zeros((1, 128)) + 0.5)
    with pytest.raises(TypeError, match="unsigned integer"):
        unspun.Signer().band_keys(-np.ones((1, 128), dtype=np.int64))
    with pytest.raises(ValueError, match="beyond uint32"):
        unspun.Signer().band_keys(np.full((1, 128), 2**40, dtype=np.uint64))
    assert unspun.Signer().band_keys(np.ones((1, 128), dtype=np.int64)).shape[0] == 1


def test_a_lone_surrogate_is_a_value_error_naming_the_text():
    with pytest.raises(ValueError) as e:
        unspun.Signer().sign(["Fine.", "Not \ud800 fine."])
    assert "document 1: its text holds a lone surrogate" in str(e.value)


def test_a_signer_pickles_as_its_settings(seeds):
    import pickle

    signer = unspun.Signer(hashes=64, seed=7, threshold={"words": 0.4})
    again = pickle.loads(pickle.dumps(signer))
    texts = [text for _, text in seeds]
    assert again.params("words") == signer.params("words")
    assert (again.sign(texts) == signer.sign(texts)).all()
