from .cli import entry

if __name__ == "__main__":  # worker processes import this module too (spawn): no run there
    entry()
