from pml.cli import main

main()
