"""The package exports exactly its public surface (as httpx checks its own)."""

import pipeline


def test_all_names_are_exported_and_exist():
    for name in pipeline.__all__:
        assert hasattr(pipeline, name), name


def test_every_public_name_is_in_all():
    public = {n for n in dir(pipeline) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(pipeline, n)).__name__ == "module"}
    assert public - modules == set(pipeline.__all__)
