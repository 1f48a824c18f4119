"""The package exports exactly its public surface (as httpx checks its own)."""

import importlib

import pipeline


def test_all_names_are_exported_and_exist():
    for name in pipeline.__all__:
        assert hasattr(pipeline, name), name


def test_every_public_name_is_in_all():
    public = {n for n in dir(pipeline) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(pipeline, n)).__name__ == "module"}
    assert public - modules == set(pipeline.__all__)


def test_the_ingest_function_stays_itself_once_every_module_is_imported():
    """No module of the package shares a name with a public function: importing the
    module would put it in the function's place on the package."""
    import pkgutil



    for module in pkgutil.iter_modules(pipeline.__path__):
        importlib.import_module(f"pipeline.{module.name}")
    assert callable(pipeline.ingest) and callable(pipeline.run)
    modules = {m.name for m in pkgutil.iter_modules(pipeline.__path__)}
    assert set(pipeline.__all__).isdisjoint(modules)
