from workbench.cli import main

# Guarded: a spawned child process (publishing/isolation.py) imports this module again.
if __name__ == "__main__":
    main()
